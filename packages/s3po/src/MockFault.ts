/**
 * The old name of `Fault`, kept until 1.0: faults work on every layer, not only the mock, and
 * every `Fault` constructor is a function (`Fault.internalError()` where this module has the value
 * `MockFault.internalError`).
 *
 * @since 0.1.0
 * @deprecated use `Fault` (`import { Fault } from "s3po"`)
 */
import * as Faults from "./Fault.js"

/**
 * @since 0.1.0
 * @category models
 * @deprecated use `Fault.Fault`
 */
export type Fault = Faults.Fault

/**
 * @since 0.1.0
 * @category models
 * @deprecated use `Fault.ErrorResponse`
 */
export type ErrorResponse = Faults.ErrorResponse

/**
 * @since 0.1.0
 * @category models
 * @deprecated use `Fault.ConnectionReset`
 */
export type ConnectionReset = Faults.ConnectionReset

/**
 * @since 0.1.0
 * @category models
 * @deprecated use `Fault.Timeout`
 */
export type Timeout = Faults.Timeout

/**
 * @since 0.1.0
 * @category models
 * @deprecated use `Fault.TruncatedBody`
 */
export type TruncatedBody = Faults.TruncatedBody

/**
 * @since 0.4.0
 * @category models
 * @deprecated use `Fault.CorruptedBody`
 */
export type CorruptedBody = Faults.CorruptedBody

/**
 * @since 0.1.0
 * @category models
 * @deprecated use `Fault.Request`
 */
export type MockRequest = Faults.Request

/**
 * @since 0.1.0
 * @category models
 * @deprecated use `Fault.Rule`
 */
export type FaultRule = Faults.Rule

/**
 * @since 0.1.0
 * @category constructors
 * @deprecated use `Fault.errorResponse`
 */
export const errorResponse: typeof Faults.errorResponse = Faults.errorResponse

/**
 * @since 0.1.0
 * @category constructors
 * @deprecated use `Fault.throttled`
 */
export const throttled: typeof Faults.throttled = Faults.throttled

/**
 * @since 0.4.0
 * @category constructors
 * @deprecated use `Fault.corruptedBody`
 */
export const corruptedBody: typeof Faults.corruptedBody = Faults.corruptedBody

/**
 * @since 0.1.0
 * @category constructors
 * @deprecated use `Fault.internalError()`
 */
export const internalError: Faults.Fault = Faults.internalError()

/**
 * @since 0.1.0
 * @category constructors
 * @deprecated use `Fault.serviceUnavailable()`
 */
export const serviceUnavailable: Faults.Fault = Faults.serviceUnavailable()

/**
 * @since 0.1.0
 * @category constructors
 * @deprecated use `Fault.noSuchKey()`
 */
export const noSuchKey: Faults.Fault = Faults.noSuchKey()

/**
 * @since 0.1.0
 * @category constructors
 * @deprecated use `Fault.accessDenied()`
 */
export const accessDenied: Faults.Fault = Faults.accessDenied()

/**
 * @since 0.1.0
 * @category constructors
 * @deprecated use `Fault.connectionReset()`
 */
export const connectionReset: Faults.Fault = Faults.connectionReset()

/**
 * @since 0.1.0
 * @category constructors
 * @deprecated use `Fault.timeout()`
 */
export const timeout: Faults.Fault = Faults.timeout()

/**
 * @since 0.1.0
 * @category constructors
 * @deprecated use `Fault.truncatedBody()`
 */
export const truncatedBody: Faults.Fault = Faults.truncatedBody()
