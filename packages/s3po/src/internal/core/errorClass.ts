import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as AST from "effect/SchemaAST"

/**
 * What every s3po error class is made of: the type id that marks it, the schema of an optional
 * field, and the pieces of its message.
 */

/** Marks every s3po error. */
export const TypeId: unique symbol = Symbol.for("s3po/S3PoError")

/**
 * An optional field of an error: absent or `undefined` in the constructor's argument, always
 * present (perhaps `undefined`) on the error, and absent from the encoded error when `undefined`,
 * so that the encoded error is plain JSON and the error decoded from it has the same keys as the
 * one encoded, and is `Equal` to it.
 */
export const optionalField = <A, I>(schema: Schema.Schema<A, I>) =>
  Schema.optionalToRequired(schema, Schema.UndefinedOr(Schema.typeSchema(schema)), {
    decode: Option.getOrUndefined,
    encode: Option.fromNullable
  }).pipe(Schema.withConstructorDefault(() => undefined))

/** A class, as far as `standIn` needs one: its instances' prototype. */
interface AClass {
  readonly prototype: object
}

/**
 * Makes `lazy` stand for the class `make` makes, made the first time one of `keys` is read on
 * `lazy` (or on a class extending it) or `materialize` is called: `lazy` then inherits from it, its
 * statics and its instances' prototype, as if it had extended it from the start.
 */
const standIn = (
  lazy: AClass,
  keys: ReadonlyArray<PropertyKey>,
  make: () => object
): () => object => {
  let made: object | undefined
  const materialize = (): object => {
    if (made === undefined) {
      made = make()
      for (const key of keys) Reflect.deleteProperty(lazy, key)
      Object.setPrototypeOf(lazy, made)
      const prototype: unknown = Reflect.get(made, "prototype")
      if (typeof prototype === "object") Object.setPrototypeOf(lazy.prototype, prototype)
    }
    return made
  }
  for (const key of keys) {
    Object.defineProperty(lazy, key, {
      configurable: true,
      get(this: unknown) {
        return Reflect.get(materialize(), key, this)
      }
    })
  }
  return materialize
}

/** What a schema class has on itself, besides what each kind adds. */
const schemaStatics: ReadonlyArray<PropertyKey> = [Schema.TypeId, "ast", "annotations", "pipe", "toString"]

/** What a `Schema.TaggedError` class has on itself. */
const errorStatics: ReadonlyArray<PropertyKey> = [
  ...schemaStatics,
  "fields",
  "identifier",
  "make",
  "extend",
  "transformOrFail",
  "transformOrFailFrom"
]

/**
 * `Schema.TaggedError`, its schema built when the class is first used (an error made, encoded or
 * decoded, or the class read as a schema) rather than when its module loads: a program that never
 * fails pays for none of them. The class is the same otherwise: `_tag`, `instanceof`, fields,
 * `message`, and the schema's encoding and decoding.
 */
export const lazyTaggedError = <Self>() =>
<Tag extends string, Fields extends Schema.Struct.Fields>(
  tag: Tag,
  fields: () => Fields
): Schema.TaggedErrorClass<Self, Tag, { readonly _tag: Schema.tag<Tag> } & Fields> => {
  let materialize: () => object = () => {
    throw new Error("unreachable")
  }
  class LazyTaggedError {
    static readonly _tag = tag
    constructor(...args: ReadonlyArray<unknown>) {
      // Made as an instance of the class being constructed (`new.target`), through the real one.
      return Reflect.construct(materialize() as new(...args: ReadonlyArray<unknown>) => object, args, new.target)
    }
  }
  materialize = standIn(LazyTaggedError, errorStatics, () => Schema.TaggedError<object>()(tag, fields()))
  // eslint-disable-next-line no-restricted-syntax -- a stand-in: the class it stands for is made on first use
  return LazyTaggedError as unknown as Schema.TaggedErrorClass<Self, Tag, { readonly _tag: Schema.tag<Tag> } & Fields>
}

/** `Schema.Union` of `members`, built when first used as a schema (see `lazyTaggedError`). */
export const lazyUnion = <Members extends AST.Members<Schema.Schema.All>>(
  members: () => Members
): Schema.Union<Members> => {
  const LazyUnion = function() {}
  standIn(LazyUnion, [...schemaStatics, "members"], () => Schema.Union(...members()))
  // eslint-disable-next-line no-restricted-syntax -- a stand-in: the union it stands for is made on first use
  return LazyUnion as unknown as Schema.Union<Members>
}

/** `s3://bucket` or `s3://bucket/key`. */
export const where = (bucket: string, key?: string): string =>
  key === undefined ? `s3://${bucket}` : `s3://${bucket}/${key}`

/** ` [request <id>]`, or nothing without a request id. */
export const requestIdOf = (requestId: string | undefined): string =>
  requestId === undefined ? "" : ` [request ${requestId}]`
