import Foundation

/// What the power model needs to know about the machine a process runs on, read from the files
/// Linux exposes: `/proc/cpuinfo` (model name, vendor, family/model/stepping, the `hypervisor`
/// flag, logical CPUs, cores), DMI (`/sys/class/dmi/id/sys_vendor`, `product_name`), the cgroup's
/// CPU quota (v2 `cpu.max`, v1 `cpu.cfs_quota_us`/`cpu.cfs_period_us`) and `/proc/meminfo`.
/// `root` lets tests give a fake tree.
public struct MachineProfile: Sendable, Equatable {
  public enum Kind: String, Sendable {
    case virtualMachine = "virtual machine"
    case container
    case bareMetal = "bare metal"
  }

  public var kind: Kind
  public var cpuModel: String
  /// `vendor_id` (`GenuineIntel`, `AuthenticAMD`) or, on Arm, `arm`.
  public var vendor: String
  public var cpuFamily: Int?
  public var cpuModelNumber: Int?
  public var stepping: Int?
  /// Arm's `CPU part` (0xd0c Neoverse N1, …).
  public var armPart: Int?
  public var logicalCPUs: Int
  /// Physical cores over all sockets, when cpuinfo says.
  public var physicalCores: Int?
  /// The cgroup's CPU quota in CPUs (quota / period), when one is set.
  public var cpuQuota: Double?
  public var memoryBytes: Int?
  /// Why `kind` was decided: the evidence, for the method string.
  public var evidence: [String]

  /// The CPUs the process may use: the logical CPUs, or fewer under a cgroup quota.
  public var availableCPUs: Double { min(Double(logicalCPUs), cpuQuota ?? .infinity) }

  public init(
    kind: Kind, cpuModel: String, vendor: String = "", cpuFamily: Int? = nil, cpuModelNumber: Int? = nil,
    stepping: Int? = nil,
    armPart: Int? = nil, logicalCPUs: Int, physicalCores: Int? = nil, cpuQuota: Double? = nil, memoryBytes: Int? = nil,
    evidence: [String] = []
  ) {
    self.kind = kind
    self.cpuModel = cpuModel
    self.vendor = vendor
    self.cpuFamily = cpuFamily
    self.cpuModelNumber = cpuModelNumber
    self.stepping = stepping
    self.armPart = armPart
    self.logicalCPUs = max(1, logicalCPUs)
    self.physicalCores = physicalCores
    self.cpuQuota = cpuQuota
    self.memoryBytes = memoryBytes
    self.evidence = evidence
  }

  /// This machine, read once per process.
  public static let current = detect()

  /// Reads the machine under `root` ("/" for this one).
  public static func detect(root: String = "/") -> MachineProfile {
    func read(_ path: String) -> String? {
      (try? String(contentsOfFile: (root as NSString).appendingPathComponent(path), encoding: .utf8))
    }
    let cpuinfo = read("proc/cpuinfo") ?? ""
    var fields: [String: String] = [:]
    var processors = 0
    var sockets = Set<String>()
    var coresPerSocket: Int?
    var hypervisorFlag = false
    for line in cpuinfo.split(separator: "\n") {
      guard let colon = line.firstIndex(of: ":") else { continue }
      let key = line[..<colon].trimmingCharacters(in: .whitespaces)
      let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
      switch key {
      case "processor": processors += 1
      case "physical id": sockets.insert(value)
      case "cpu cores": coresPerSocket = Int(value)
      case "flags", "Features": if value.split(separator: " ").contains("hypervisor") { hypervisorFlag = true }
      default: break
      }
      if fields[key] == nil { fields[key] = value }
    }
    func integer(_ text: String?) -> Int? {
      guard let text else { return nil }
      return text.hasPrefix("0x") ? Int(text.dropFirst(2), radix: 16) : Int(text)
    }
    let isArm = fields["CPU implementer"] != nil
    let model = fields["model name"] ?? (isArm ? "Arm CPU part \(fields["CPU part"] ?? "?")" : "unknown CPU")
    let logical = processors > 0 ? processors : ProcessInfo.processInfo.activeProcessorCount
    let physical = coresPerSocket.map { $0 * max(1, sockets.count) }

    var evidence: [String] = []
    if hypervisorFlag { evidence.append("cpuinfo hypervisor flag") }
    let dmi = [read("sys/class/dmi/id/sys_vendor"), read("sys/class/dmi/id/product_name")].compactMap {
      $0?.trimmingCharacters(in: .whitespacesAndNewlines)
    }.filter { !$0.isEmpty }
    let virtualVendors = [
      "QEMU", "KVM", "VMware", "VirtualBox", "Xen", "Amazon EC2", "Google Compute Engine", "Microsoft Corporation",
      "OpenStack", "Bochs", "Hetzner", "DigitalOcean",
    ]
    if let product = dmi.first(where: { text in virtualVendors.contains { text.localizedCaseInsensitiveContains($0) } })
    {
      evidence.append("DMI \"\(product)\"")
    }
    let isVirtual = !evidence.isEmpty
    var quota: Double?
    if let line = read("sys/fs/cgroup/cpu.max")?.split(separator: " "), line.count == 2, let limit = Double(line[0]),
      let period = Double(line[1].trimmingCharacters(in: .whitespacesAndNewlines)), period > 0
    {
      quota = limit / period
    } else if let limit = read("sys/fs/cgroup/cpu/cpu.cfs_quota_us").flatMap({
      Double($0.trimmingCharacters(in: .whitespacesAndNewlines))
    }), limit > 0,
      let period = read("sys/fs/cgroup/cpu/cpu.cfs_period_us").flatMap({
        Double($0.trimmingCharacters(in: .whitespacesAndNewlines))
      }), period > 0
    {
      quota = limit / period
    }
    let containerMarker = [".dockerenv", "run/.containerenv"].first {
      FileManager.default.fileExists(atPath: (root as NSString).appendingPathComponent($0))
    }
    if let quota { evidence.append(String(format: "cgroup CPU quota %.2f CPUs", quota)) }
    if let containerMarker { evidence.append("/\(containerMarker)") }
    let kind: Kind = isVirtual ? .virtualMachine : (quota != nil || containerMarker != nil ? .container : .bareMetal)

    var memory: Int?
    if let meminfo = read("proc/meminfo"),
      let line = meminfo.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") })
    {
      memory = line.split(separator: " ").dropFirst().first.flatMap { Int($0) }.map { $0 * 1024 }
    }
    return MachineProfile(
      kind: kind, cpuModel: model, vendor: isArm ? "arm" : (fields["vendor_id"] ?? ""),
      cpuFamily: integer(fields["cpu family"]),
      cpuModelNumber: isArm ? nil : integer(fields["model"]), stepping: integer(fields["stepping"]),
      armPart: isArm ? integer(fields["CPU part"]) : nil,
      logicalCPUs: logical, physicalCores: physical, cpuQuota: quota, memoryBytes: memory, evidence: evidence)
  }
}
