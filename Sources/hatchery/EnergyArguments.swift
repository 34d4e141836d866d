import Accounting
import ArgumentParser

/// The metering options of `train` and `finetune`.
struct EnergyArguments: ParsableArguments {
  @Option(help: "Grid country, ISO 3166-1 alpha-3 (e.g. FRA, USA); default: the world average.") var country: String?
  @Option(help: "Grid carbon intensity in g CO2e/kWh, instead of the country's.") var carbonIntensity: Double?
  @Option(help: "Power usage effectiveness of the data centre.") var pue = 1.0
  @Option(help: "CPU watts for the estimate when no meter can be read (default: the CPU's TDP from the table, else 85).") var cpuWatts: Double?
  @Option(help: "Memory watts instead of the 0.375 W/GB estimate.") var ramWatts: Double?
  @Option(help: "Seconds between energy samples.") var energyInterval = 1.0

  var options: EnergyOptions {
    var options = EnergyOptions()
    options.country = country
    options.carbonIntensity = carbonIntensity
    options.pue = pue
    options.cpuWatts = cpuWatts
    options.ramWatts = ramWatts
    options.interval = energyInterval
    return options
  }
}
