/// Carries values into `DispatchQueue.concurrentPerform`'s `@Sendable` closure where the caller
/// guarantees that each worker uses its own part of them (its own table, reader or slice of a
/// buffer) or reaches shared parts through a lock.
public struct UncheckedBox<Value>: @unchecked Sendable {
  public let value: Value
  public init(_ value: Value) { self.value = value }
}
