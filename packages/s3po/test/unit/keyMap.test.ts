import { assert, describe, it } from "@effect/vitest"
import { compareKeys } from "../../src/internal/core/keyOrder.js"
import * as KeyMap from "../../src/internal/mock/keyMap.js"

/** A small seeded generator, so that a failure repeats. */
const randomFrom = (seed: number) => () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0
  return seed / 4294967296
}

// Letters around the code points where UTF-16 order and S3's order disagree.
const alphabet = ["a", "b", "/", "é", "\uE000", "\uFFFD", "😀", "𝄞"]

const keyOf = (random: () => number) =>
  Array.from({ length: 1 + Math.floor(random() * 5) }, () => alphabet[Math.floor(random() * alphabet.length)]).join("")

const sortedEntries = (reference: Map<string, number>) =>
  [...reference].sort(([left], [right]) => compareKeys(left, right))

describe("KeyMap", () => {
  it("agrees with a sorted reference map through random sets and removes, and old versions stay intact", () => {
    const random = randomFrom(7)
    let map = KeyMap.empty<number>()
    const reference = new Map<string, number>()
    const versions: Array<readonly [KeyMap.KeyMap<number>, Array<[string, number]>]> = []
    for (let step = 0; step < 22_000; step++) {
      const key = keyOf(random)
      // Mostly sets, so the tree grows several levels deep, with runs of removes that empty whole nodes.
      if (step % 5000 < 4000 ? random() < 0.7 : random() < 0.2) {
        map = KeyMap.set(map, key, step)
        reference.set(key, step)
      } else {
        map = KeyMap.remove(map, key)
        reference.delete(key)
      }
      if (step % 1000 === 999) {
        const expected = sortedEntries(reference)
        assert.deepStrictEqual(KeyMap.entries(map), expected)
        const from = keyOf(random)
        const visited: Array<[string, number]> = []
        KeyMap.forEachFrom(map, from, (key, value) => visited.push([key, value]) < 10)
        assert.deepStrictEqual(visited, expected.filter(([key]) => compareKeys(key, from) >= 0).slice(0, 10))
        for (const [key, value] of expected) assert.strictEqual(KeyMap.get(map, key), value)
        assert.strictEqual(KeyMap.get(map, from), reference.get(from))
        versions.push([map, expected])
      }
    }
    assert.isAbove(reference.size, 1000)
    for (const [version, expected] of versions) assert.deepStrictEqual(KeyMap.entries(version), expected)
  })

  it("removes every key, in any order, down to an empty map", () => {
    const keys = Array.from({ length: 5000 }, (_, i) => `k/${i}`)
    let map = keys.reduce((map, key, i) => KeyMap.set(map, key, i), KeyMap.empty<number>())
    const random = randomFrom(11)
    const shuffled = keys.map((key) => [random(), key] as const).sort(([a], [b]) => a - b).map(([, key]) => key)
    for (const key of shuffled.slice(0, 4990)) map = KeyMap.remove(map, key)
    assert.deepStrictEqual(KeyMap.entries(map).map(([key]) => key), shuffled.slice(4990).sort(compareKeys))
    for (const key of shuffled.slice(4990)) map = KeyMap.remove(map, key)
    assert.deepStrictEqual(KeyMap.entries(map), [])
    assert.strictEqual(KeyMap.remove(map, "k/1"), map)
  })
})
