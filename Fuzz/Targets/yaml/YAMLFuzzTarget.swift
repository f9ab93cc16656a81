import FuzzSupport
import CTSyncYAML

@testable import CTSyncSpec
@testable import CTSyncSupport

/// libFuzzer entry for `scripts/fuzz yaml`: a job file's bytes through the loader, the
/// spec decoder, the linter's rules and the text renderer, exactly as `ctsync lint`
/// takes them (minus the file read, whose size cap is tested end to end).
///
/// Any trap is a finding. Besides the loader's own refusals, this checks that every
/// diagnostic points inside the file (a mark past the end would render no excerpt).
@_cdecl("fuzz_yaml_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzDriver.run(argc, argv) { data, size in yamlFuzzTestOneInput(data!, size) }
}

/// One input.
func yamlFuzzTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let source = CTSyncYAML.SourceText(path: "fuzz.yaml", bytes: Array(UnsafeBufferPointer(start: data, count: size)))
    let environment = ["CLEVERTAP_ACCOUNT_ID": "123", "CLEVERTAP_PASSCODE": "secret"]
    var diagnostics: [Diagnostic]
    do {
        let root = try YAMLLoader.load(source)
        let decoder = SpecDecoder(environment: environment, unsetVariableSeverity: .warning)
        let (spec, found) = decoder.decode(root, source: source)
        diagnostics = found
        if let spec {
            diagnostics += Linter.rules(for: spec)
            diagnostics += Linter.crossJobRules([spec, spec])
        }
    } catch {
        diagnostics = [Diagnostic(error)]
        _ = error.rendered(in: source)
    }
    for diagnostic in diagnostics {
        precondition(diagnostic.mark.file == source.path, "a diagnostic names another file: \(diagnostic.mark)")
        precondition(
            diagnostic.mark.line >= 1 && diagnostic.mark.line <= source.lineCount && diagnostic.mark.column >= 1,
            "a diagnostic points outside the file: \(diagnostic.mark) (\(source.lineCount) lines)")
    }
    _ = DiagnosticRenderer.text(Diagnostic.sorted(diagnostics), sources: [source.path: source], filesChecked: 1)
    _ = DiagnosticRenderer.json(diagnostics, filesChecked: 1)
    _ = DiagnosticRenderer.github(diagnostics)
    return 0
}
