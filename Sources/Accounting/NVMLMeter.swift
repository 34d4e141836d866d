import Foundation

/// GPU energy through NVIDIA's management library, loaded at run time (`libnvidia-ml.so.1`, part
/// of the driver; never a build dependency): the sum over devices of
/// `nvmlDeviceGetTotalEnergyConsumption` (millijoules since the driver loaded). Without the
/// library or a device the meter is unavailable and says why.
public final class NVMLMeter: @unchecked Sendable {
  private typealias Initialise = @convention(c) () -> Int32
  private typealias Count = @convention(c) (UnsafeMutablePointer<UInt32>) -> Int32
  private typealias Handle = @convention(c) (UInt32, UnsafeMutablePointer<OpaquePointer?>) -> Int32
  private typealias Energy = @convention(c) (OpaquePointer?, UnsafeMutablePointer<UInt64>) -> Int32

  private var devices: [OpaquePointer?] = []
  private var energy: Energy?
  private var last: [UInt64] = []
  public let unavailableReason: String?
  public var isAvailable: Bool { unavailableReason == nil }
  public var deviceCount: Int { devices.count }

  public init(library: String = "libnvidia-ml.so.1") {
    guard let handle = dlopen(library, RTLD_NOW | RTLD_LOCAL) else {
      unavailableReason = "\(library) not found (no NVIDIA driver)"
      return
    }
    guard let initialise = dlsym(handle, "nvmlInit_v2"), let count = dlsym(handle, "nvmlDeviceGetCount_v2"),
      let byIndex = dlsym(handle, "nvmlDeviceGetHandleByIndex_v2"),
      let total = dlsym(handle, "nvmlDeviceGetTotalEnergyConsumption")
    else {
      unavailableReason = "\(library) lacks the energy functions"
      return
    }
    guard unsafeBitCast(initialise, to: Initialise.self)() == 0 else {
      unavailableReason = "nvmlInit failed"
      return
    }
    var number: UInt32 = 0
    guard unsafeBitCast(count, to: Count.self)(&number) == 0, number > 0 else {
      unavailableReason = "no NVIDIA GPU"
      return
    }
    let handleFunction = unsafeBitCast(byIndex, to: Handle.self)
    let energyFunction = unsafeBitCast(total, to: Energy.self)
    for index in 0..<number {
      var device: OpaquePointer?
      var millijoules: UInt64 = 0
      guard handleFunction(index, &device) == 0, energyFunction(device, &millijoules) == 0 else { continue }
      devices.append(device)
      last.append(millijoules)
    }
    energy = energyFunction
    unavailableReason = devices.isEmpty ? "no GPU reports its energy" : nil
  }

  /// Joules used by all GPUs since the last call.
  public func read() -> Double {
    guard let energy else { return 0 }
    var joules = 0.0
    for index in devices.indices {
      var now: UInt64 = 0
      guard energy(devices[index], &now) == 0 else { continue }
      joules += Double(now &- last[index]) / 1e3
      last[index] = now
    }
    return joules
  }
}
