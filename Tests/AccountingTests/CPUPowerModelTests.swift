import Accounting
import Foundation
import XCTest

/// The per-vCPU model's arithmetic on fake machine trees: a VM, a container with a CPU quota,
/// bare metal, and the family read from numbers when the name is masked.
final class CPUPowerModelTests: XCTestCase {
  private var root = ""

  override func setUpWithError() throws {
    root = NSTemporaryDirectory() + "hatchery-machine-\(UUID().uuidString)"
  }

  override func tearDown() {
    try? FileManager.default.removeItem(atPath: root)
  }

  private func write(_ path: String, _ text: String) throws {
    let full = root + "/" + path
    try FileManager.default.createDirectory(
      atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try text.write(toFile: full, atomically: true, encoding: .utf8)
  }

  private func cpuinfo(
    processors: Int, vendor: String, name: String, family: Int, model: Int, stepping: Int = 1, hypervisor: Bool,
    cores: Int
  ) -> String {
    (0..<processors).map { index in
      """
      processor\t: \(index)
      vendor_id\t: \(vendor)
      cpu family\t: \(family)
      model\t\t: \(model)
      model name\t: \(name)
      stepping\t: \(stepping)
      physical id\t: 0
      cpu cores\t: \(cores)
      flags\t\t: fpu vme sse2 avx2\(hypervisor ? " hypervisor" : "") rdrand

      """
    }.joined()
  }

  func testAVirtualMachineIsChargedItsVCPUsByTheFamilysCoefficients() throws {
    // A 4-vCPU VM on AMD Milan (family 25, model 1) whose name the hypervisor masks.
    try write(
      "proc/cpuinfo",
      cpuinfo(processors: 4, vendor: "AuthenticAMD", name: "AMD EPYC", family: 25, model: 1, hypervisor: true, cores: 4)
    )
    try write("proc/meminfo", "MemTotal:       16384000 kB\nMemFree: 1 kB\n")
    let machine = MachineProfile.detect(root: root)
    XCTAssertEqual(machine.kind, .virtualMachine)
    XCTAssertEqual(machine.logicalCPUs, 4)
    XCTAssertEqual(machine.memoryBytes, 16_384_000 * 1024)
    XCTAssertEqual(CPUMicroarchitecture.of(machine), .epyc3)
    let model = CPUPowerModel(machine: machine)
    // 4 × (0.456 + u × (1.957 − 0.456)): idle, half and full use.
    XCTAssertEqual(model.power(cpuSeconds: 0, wallSeconds: 1), 4 * 0.456, accuracy: 1e-9)
    XCTAssertEqual(model.power(cpuSeconds: 2, wallSeconds: 1), 4 * (0.456 + 0.5 * 1.501), accuracy: 1e-9)
    XCTAssertEqual(model.power(cpuSeconds: 40, wallSeconds: 10), 4 * 1.957, accuracy: 1e-9)
    XCTAssertEqual(model.power(cpuSeconds: 99, wallSeconds: 1), 4 * 1.957, accuracy: 1e-9, "never above full use")
    XCTAssertEqual(model.heldCPUs, 4)
    XCTAssertEqual(model.memoryWattsPerGB, 0.392)
    XCTAssertTrue(
      model.source.contains("cpuinfo hypervisor flag") && model.source.contains("EPYC 3rd Gen"), model.source)
    XCTAssertEqual(model.label, "CCF per-vCPU, EPYC 3rd Gen")
    XCTAssertEqual(EnergyMethodNotes.label(model.source), "estimated: CCF per-vCPU")
  }

  func testAContainerWithAQuotaIsChargedItsQuota() throws {
    // 16 logical CPUs of a Cascade Lake host (stepping 7), no hypervisor, a 1.5-CPU cgroup v2 quota.
    try write(
      "proc/cpuinfo",
      cpuinfo(
        processors: 16, vendor: "GenuineIntel", name: "Intel(R) Xeon(R) Platinum 8275CL CPU @ 3.00GHz", family: 6,
        model: 85, stepping: 7, hypervisor: false, cores: 8))
    try write("sys/fs/cgroup/cpu.max", "150000 100000\n")
    let machine = MachineProfile.detect(root: root)
    XCTAssertEqual(machine.kind, .container)
    XCTAssertEqual(machine.cpuQuota, 1.5)
    XCTAssertEqual(machine.availableCPUs, 1.5)
    XCTAssertEqual(machine.physicalCores, 8)
    XCTAssertEqual(CPUMicroarchitecture.of(machine), .cascadeLake)
    let model = CPUPowerModel(machine: machine)
    XCTAssertEqual(model.power(cpuSeconds: 0, wallSeconds: 1), 1.5 * 0.690, accuracy: 1e-9)
    XCTAssertEqual(model.power(cpuSeconds: 1.5, wallSeconds: 1), 1.5 * 4.063, accuracy: 1e-9)
    XCTAssertEqual(model.power(busyCPUs: 0.75), 1.5 * (0.690 + 0.5 * (4.063 - 0.690)), accuracy: 1e-9)
    // No quota ("max"): the container has the host's 16 CPUs.
    try write("sys/fs/cgroup/cpu.max", "max 100000\n")
    try write(".dockerenv", "")
    let unlimited = MachineProfile.detect(root: root)
    XCTAssertEqual(unlimited.kind, .container)
    XCTAssertNil(unlimited.cpuQuota)
    XCTAssertEqual(CPUPowerModel(machine: unlimited).heldCPUs, 16)
  }

  func testCgroupV1Quota() throws {
    try write(
      "proc/cpuinfo",
      cpuinfo(
        processors: 8, vendor: "GenuineIntel", name: "Intel Xeon", family: 6, model: 106, hypervisor: false, cores: 4))
    try write("sys/fs/cgroup/cpu/cpu.cfs_quota_us", "200000\n")
    try write("sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n")
    let machine = MachineProfile.detect(root: root)
    XCTAssertEqual(machine.cpuQuota, 2)
    XCTAssertEqual(CPUMicroarchitecture.of(machine), .iceLake)
  }

  func testBareMetalIsChargedTheTDPShare() throws {
    try write(
      "proc/cpuinfo",
      cpuinfo(
        processors: 128, vendor: "AuthenticAMD", name: "AMD EPYC 7763 64-Core Processor", family: 25, model: 1,
        hypervisor: false, cores: 64))
    let machine = MachineProfile.detect(root: root)
    XCTAssertEqual(machine.kind, .bareMetal)
    let model = CPUPowerModel(machine: machine)
    XCTAssertEqual(model.estimate, .tdpShare(watts: 280))
    // TDP / cores × cores used: 64 of 128 logical CPUs busy is half the socket's 280 W.
    XCTAssertEqual(model.power(cpuSeconds: 64, wallSeconds: 1), 140, accuracy: 1e-9)
    XCTAssertEqual(model.power(cpuSeconds: 0, wallSeconds: 1), 0)
    XCTAssertEqual(model.memoryWattsPerGB, 0.375)
    XCTAssertEqual(EnergyMethodNotes.label(model.source), "estimated: TDP share")
    // --cpu-watts overrides on any machine: the watts × the process's share (CodeCarbon's process mode).
    let given = CPUPowerModel(machine: machine, override: 64)
    XCTAssertEqual(given.power(cpuSeconds: 32, wallSeconds: 1), 16, accuracy: 1e-9)
    XCTAssertEqual(EnergyMethodNotes.label(given.source), "estimated: --cpu-watts")
  }

  func testDMIAloneMarksAVirtualMachineAndAnUnknownFamilyTakesCCFsAverage() throws {
    try write(
      "proc/cpuinfo",
      cpuinfo(
        processors: 2, vendor: "GenuineIntel", name: "Common KVM processor", family: 15, model: 6, hypervisor: false,
        cores: 2))
    try write("sys/class/dmi/id/sys_vendor", "QEMU\n")
    let machine = MachineProfile.detect(root: root)
    XCTAssertEqual(machine.kind, .virtualMachine)
    XCTAssertEqual(machine.evidence, ["DMI \"QEMU\""])
    XCTAssertEqual(CPUMicroarchitecture.of(machine), .unknown)
    XCTAssertEqual(CPUPowerModel(machine: machine).power(busyCPUs: 2), 2 * 3.5, accuracy: 1e-9)
  }

  func testFamiliesByNumberAndByName() throws {
    func family(vendor: String = "", number: Int? = nil, model: Int? = nil, stepping: Int? = nil, name: String = "")
      -> CPUMicroarchitecture
    {
      CPUMicroarchitecture.of(
        MachineProfile(
          kind: .virtualMachine, cpuModel: name, vendor: vendor, cpuFamily: number, cpuModelNumber: model,
          stepping: stepping, logicalCPUs: 2))
    }
    XCTAssertEqual(family(vendor: "AuthenticAMD", number: 0x1A, model: 2), .epyc5, "Zen 5 (this project's VM)")
    XCTAssertEqual(family(vendor: "AuthenticAMD", number: 0x19, model: 0x11), .epyc4, "Genoa")
    XCTAssertEqual(family(vendor: "AuthenticAMD", number: 0x17, model: 0x31), .epyc2, "Rome")
    XCTAssertEqual(family(vendor: "AuthenticAMD", number: 0x17, model: 0x01), .epyc1, "Naples")
    XCTAssertEqual(family(vendor: "GenuineIntel", number: 6, model: 85, stepping: 4), .skylake)
    XCTAssertEqual(family(vendor: "GenuineIntel", number: 6, model: 143), .sapphireRapids)
    XCTAssertEqual(family(name: "AMD EPYC 7R13 48-Core Processor"), .epyc3)
    XCTAssertEqual(family(name: "AMD EPYC 9R14 96-Core Processor"), .epyc4)
    XCTAssertEqual(family(name: "Intel(R) Xeon(R) Platinum 8175M CPU @ 2.50GHz"), .skylake)
    XCTAssertEqual(family(name: "Intel(R) Xeon(R) CPU E5-2686 v4 @ 2.30GHz"), .broadwell)
    XCTAssertEqual(family(name: "Intel(R) Xeon(R) CPU E5-2670 0 @ 2.60GHz"), .sandyBridge)
    XCTAssertEqual(
      CPUMicroarchitecture.of(
        MachineProfile(kind: .virtualMachine, cpuModel: "", vendor: "arm", armPart: 0xd40, logicalCPUs: 4)), .graviton)
  }

  func testArmCPUInfo() throws {
    try write(
      "proc/cpuinfo",
      "processor\t: 0\nBogoMIPS\t: 243.75\nFeatures\t: fp asimd\nCPU implementer\t: 0x41\nCPU part\t: 0xd0c\n\nprocessor\t: 1\nCPU implementer\t: 0x41\nCPU part\t: 0xd0c\n"
    )
    try write("sys/class/dmi/id/product_name", "c6g.large\n")
    try write("sys/class/dmi/id/sys_vendor", "Amazon EC2\n")
    let machine = MachineProfile.detect(root: root)
    XCTAssertEqual(machine.kind, .virtualMachine)
    XCTAssertEqual(machine.armPart, 0xd0c)
    XCTAssertEqual(CPUMicroarchitecture.of(machine), .graviton)
  }

  func testEmbodiedAndMethodNotes() {
    // 763 kg / 64 vCPUs over 4 years: one vCPU-hour.
    XCTAssertEqual(EmbodiedModel.cloudVCPU.kilogramsPerUnitHour, 763.0 / 64 / (4 * 8760), accuracy: 1e-12)
    var notes = EnergyMethodNotes()
    XCTAssertEqual(notes.mark("CPU: measured by RAPL (whole package)"), "measured (RAPL) [1]")
    XCTAssertEqual(notes.mark("CPU: --cpu-watts 85 W × the process's share"), "estimated: --cpu-watts [2]")
    XCTAssertEqual(notes.mark("CPU: measured by RAPL (whole package)"), "measured (RAPL) [1]")
    XCTAssertEqual(notes.mark(nil), "—")
    XCTAssertEqual(notes.notes.count, 2)
  }
}
