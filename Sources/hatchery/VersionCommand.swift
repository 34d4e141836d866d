import ArgumentParser
import CBLAS
import CCrypto
import CLibXML2
import CXXHash
import CZlib
import CZstd
import Dedup
import HatcheryCore

struct VersionCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "version", abstract: "Print Hatchery's version and the versions of the system libraries it runs on.")

  func run() throws {
    print("hatchery \(HatcheryVersion.current)")
    if let error = hatchery_blas_load() {
      print("openblas not found (\(String(cString: error))): training needs libopenblas0")
    } else {
      print("openblas \(String(cString: hatchery_blas_config()))")
    }
    print("zstd \(String(cString: ZSTD_versionString()))")
    print("zlib \(String(cString: zlibVersion()))")
    print("libxml2 \(String(cString: hatchery_xmlParserVersion()))")
    let xxhash = XXH_versionNumber()
    print("xxhash \(xxhash / 10000).\(xxhash / 100 % 100).\(xxhash % 100)")
    print("openssl \(String(cString: OpenSSL_version(OPENSSL_VERSION_STRING)))")
    print("minhash kernel \(DedupStage.minHashKernel)")
  }
}
