import { compareKeys } from "../core/keyOrder.js"

/**
 * A persistent map from object keys to values, sorted in S3's key order: a B+ tree of nodes of at
 * most `maxEntries` entries. A change copies only the nodes on one path from the root, so every
 * version stays valid, at a few short array copies per change instead of the dozens of node
 * allocations of a binary tree.
 *
 * Removal never merges nodes: a node that empties is dropped, one that shrinks stays small. The
 * tree stays as deep as the most keys it has held, which keeps lookups logarithmic.
 */
export interface KeyMap<V> {
  readonly root: Node<V> | undefined
}

const maxEntries = 32

/**
 * A leaf holds keys and their values; a branch holds children and, at index `i > 0`, a key that
 * is not greater than any key under `children[i]` and greater than every key under `children[i - 1]`.
 */
class Node<V> {
  constructor(
    readonly keys: ReadonlyArray<string>,
    readonly values: ReadonlyArray<V> | undefined,
    readonly children: ReadonlyArray<Node<V>> | undefined
  ) {}
}

const leaf = <V>(keys: ReadonlyArray<string>, values: ReadonlyArray<V>) => new Node(keys, values, undefined)
const branch = <V>(keys: ReadonlyArray<string>, children: ReadonlyArray<Node<V>>) => new Node(keys, undefined, children)

const replaced = <A>(items: ReadonlyArray<A>, index: number, item: A): Array<A> => {
  const copy = items.slice()
  copy[index] = item
  return copy
}

const inserted = <A>(items: ReadonlyArray<A>, index: number, item: A): Array<A> => {
  const copy = items.slice(0, index)
  copy.push(item)
  for (let i = index; i < items.length; i++) copy.push(items[i]!)
  return copy
}

const removed = <A>(items: ReadonlyArray<A>, index: number): Array<A> => {
  const copy = items.slice(0, index)
  for (let i = index + 1; i < items.length; i++) copy.push(items[i]!)
  return copy
}

/** The first index whose key is not less than `key`. */
const lowerBound = (keys: ReadonlyArray<string>, key: string): number => {
  let low = 0
  let high = keys.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (compareKeys(keys[middle]!, key) < 0) low = middle + 1
    else high = middle
  }
  return low
}

/** The child of a branch whose keys range over `key`. */
const childIndex = (keys: ReadonlyArray<string>, key: string): number => {
  let low = 1
  let high = keys.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (compareKeys(keys[middle]!, key) <= 0) low = middle + 1
    else high = middle
  }
  return low - 1
}

export const empty = <V>(): KeyMap<V> => ({ root: undefined })

export const get = <V>(map: KeyMap<V>, key: string): V | undefined => {
  let node = map.root
  if (node === undefined) return undefined
  while (node.children !== undefined) node = node.children[childIndex(node.keys, key)]!
  const index = lowerBound(node.keys, key)
  return node.keys[index] === key ? node.values![index] : undefined
}

/** A node after an insertion: one node, or two halves with the least key of the right one. */
type Inserted<V> = Node<V> | readonly [Node<V>, string, Node<V>]

const split = <V>(node: Node<V>): readonly [Node<V>, string, Node<V>] => {
  const half = node.keys.length >>> 1
  const separator = node.keys[half]!
  return node.values !== undefined
    ? [
      leaf(node.keys.slice(0, half), node.values.slice(0, half)),
      separator,
      leaf(node.keys.slice(half), node.values.slice(half))
    ]
    : [
      branch(node.keys.slice(0, half), node.children!.slice(0, half)),
      separator,
      branch(node.keys.slice(half), node.children!.slice(half))
    ]
}

const insert = <V>(node: Node<V>, key: string, value: V): Inserted<V> => {
  if (node.values !== undefined) {
    const index = lowerBound(node.keys, key)
    if (node.keys[index] === key) return leaf(node.keys, replaced(node.values, index, value))
    const grown = leaf(inserted(node.keys, index, key), inserted(node.values, index, value))
    return grown.keys.length > maxEntries ? split(grown) : grown
  }
  const children = node.children!
  const index = childIndex(node.keys, key)
  const child = insert(children[index]!, key, value)
  if (child instanceof Node) return branch(node.keys, replaced(children, index, child))
  const [left, separator, right] = child
  const grown = branch(
    inserted(node.keys, index + 1, separator),
    inserted(replaced(children, index, left), index + 1, right)
  )
  return grown.keys.length > maxEntries ? split(grown) : grown
}

export const set = <V>(map: KeyMap<V>, key: string, value: V): KeyMap<V> => {
  if (map.root === undefined) return { root: leaf([key], [value]) }
  const root = insert(map.root, key, value)
  return { root: root instanceof Node ? root : branch([root[1], root[1]], [root[0], root[2]]) }
}

/** A node after a removal: itself when `key` was absent, `undefined` when it emptied. */
const remove_ = <V>(node: Node<V>, key: string): Node<V> | undefined => {
  if (node.values !== undefined) {
    const index = lowerBound(node.keys, key)
    if (node.keys[index] !== key) return node
    return node.keys.length === 1 ? undefined : leaf(removed(node.keys, index), removed(node.values, index))
  }
  const children = node.children!
  const index = childIndex(node.keys, key)
  const child = remove_(children[index]!, key)
  if (child === children[index]) return node
  if (child !== undefined) return branch(node.keys, replaced(children, index, child))
  return children.length === 1 ? undefined : branch(removed(node.keys, index), removed(children, index))
}

export const remove = <V>(map: KeyMap<V>, key: string): KeyMap<V> => {
  if (map.root === undefined) return map
  let root = remove_(map.root, key)
  if (root === map.root) return map
  while (root?.children !== undefined && root.children.length === 1) root = root.children[0]
  return { root }
}

const visitFrom = <V>(node: Node<V>, from: string, f: (key: string, value: V) => boolean): boolean => {
  if (node.values !== undefined) {
    for (let i = lowerBound(node.keys, from); i < node.keys.length; i++) {
      if (!f(node.keys[i]!, node.values[i]!)) return false
    }
    return true
  }
  const children = node.children!
  for (let i = childIndex(node.keys, from); i < children.length; i++) {
    if (!visitFrom(children[i]!, from, f)) return false
  }
  return true
}

/** Calls `f` on each entry whose key is not less than `from`, in key order, while `f` returns true. */
export const forEachFrom = <V>(map: KeyMap<V>, from: string, f: (key: string, value: V) => boolean): void => {
  if (map.root !== undefined) visitFrom(map.root, from, f)
}

export const entries = <V>(map: KeyMap<V>): Array<readonly [string, V]> => {
  const all: Array<readonly [string, V]> = []
  forEachFrom(map, "", (key, value) => {
    all.push([key, value])
    return true
  })
  return all
}
