import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

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

/** `s3://bucket` or `s3://bucket/key`. */
export const where = (bucket: string, key?: string): string =>
  key === undefined ? `s3://${bucket}` : `s3://${bucket}/${key}`

/** ` [request <id>]`, or nothing without a request id. */
export const requestIdOf = (requestId: string | undefined): string =>
  requestId === undefined ? "" : ` [request ${requestId}]`
