/// libFuzzer's entry point for a target built by SwiftPM.
///
/// SwiftPM links an executable target's entry point under the name `<target>_main`
/// (`fuzz_yaml_main`), so the targets cannot take libFuzzer's own `main`: each defines
/// that symbol and hands its test function to libFuzzer's driver, which parses the
/// command line and runs the fuzzing loop exactly as libFuzzer's `main` would.
package enum FuzzDriver {
    package typealias TestOneInput = @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32

    package static func run(
        _ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ test: TestOneInput
    ) -> Int32 {
        var count = argc
        var arguments = argv
        return LLVMFuzzerRunDriver(&count, &arguments, test)
    }
}

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ test: FuzzDriver.TestOneInput
) -> Int32
