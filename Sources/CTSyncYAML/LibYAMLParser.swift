internal import CLibYAML

/// The one place that talks to libyaml: owns a `yaml_parser_t` and a copy of
/// the input, and turns C events and errors into Swift values.
///
/// libyaml keeps a pointer to the input and reads it lazily, and
/// `yaml_parser_set_input_string` stores a pointer to the parser inside the
/// parser itself. Both therefore live in memory this class allocates and
/// frees, never in Swift values that could move.
final class LibYAMLParser {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let input: UnsafeMutableBufferPointer<UInt8>
    private let source: SourceText

    init(source: SourceText) throws(YAMLError) {
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        guard yaml_parser_initialize(parser) == 1 else {
            parser.deallocate()
            throw YAMLError(
                kind: .parser, message: "out of memory while starting the parser", mark: source.mark(ofByte: 0))
        }
        // One spare byte so an empty file still has a valid base address.
        let input = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: source.bytes.count + 1)
        _ = input.initialize(from: source.bytes)
        // The encoding is left for libyaml to detect: that way it skips a UTF-8
        // byte order mark without counting it as a column.
        yaml_parser_set_input_string(parser, input.baseAddress, source.bytes.count)
        self.parser = parser
        self.input = input
        self.source = source
    }

    deinit {
        yaml_parser_delete(parser)
        parser.deallocate()
        input.deallocate()
    }

    /// The next event; after `.streamEnd` libyaml keeps returning `.streamEnd`.
    func next() throws(YAMLError) -> Event {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else {
            throw currentError()
        }
        defer { yaml_event_delete(&event) }
        return try convert(event)
    }

    // MARK: - Events

    private func convert(_ event: yaml_event_t) throws(YAMLError) -> Event {
        let mark = self.mark(event.start_mark)
        let kind: Event.Kind
        switch event.type {
        case YAML_STREAM_START_EVENT:
            kind = .streamStart
        case YAML_STREAM_END_EVENT:
            kind = .streamEnd
        case YAML_DOCUMENT_START_EVENT:
            kind = .documentStart
        case YAML_DOCUMENT_END_EVENT:
            kind = .documentEnd
        case YAML_ALIAS_EVENT:
            kind = .alias(anchor: string(event.data.alias.anchor) ?? "")
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            // Counted, not NUL-terminated: a "\0" escape puts a NUL inside the value.
            let value = String(decoding: UnsafeBufferPointer(start: data.value, count: data.length), as: UTF8.self)
            let scalar = Scalar(value: value, style: style(data.style), tag: string(data.tag), mark: mark)
            kind = .scalar(scalar, anchor: string(data.anchor))
        case YAML_SEQUENCE_START_EVENT:
            kind = .sequenceStart(anchor: string(event.data.sequence_start.anchor))
        case YAML_SEQUENCE_END_EVENT:
            kind = .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            kind = .mappingStart(anchor: string(event.data.mapping_start.anchor))
        case YAML_MAPPING_END_EVENT:
            kind = .mappingEnd
        default:
            throw YAMLError(
                kind: .parser, message: "libyaml produced an unknown event (\(event.type.rawValue))", mark: mark)
        }
        return Event(kind: kind, mark: mark)
    }

    private func style(_ style: yaml_scalar_style_t) -> ScalarStyle {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: .literal
        case YAML_FOLDED_SCALAR_STYLE: .folded
        default: .plain
        }
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    /// libyaml counts lines and columns from 0, and columns in characters.
    ///
    /// At the end of a stream whose last line has no line break, libyaml moves its mark
    /// to the start of a line that does not exist; such a mark is put back at the end of
    /// the input, so that the diagnostic can show the line it is about.
    private func mark(_ mark: yaml_mark_t) -> Mark {
        let line = Int(mark.line) + 1
        guard line <= source.lineCount else { return source.mark(ofByte: source.bytes.count) }
        return Mark(file: source.path, line: line, column: Int(mark.column) + 1)
    }

    // MARK: - Errors

    private func currentError() -> YAMLError {
        let state = parser.pointee
        let problem = state.problem.map { String(cString: $0) } ?? "unknown error"
        switch state.error {
        case YAML_MEMORY_ERROR:
            return YAMLError(kind: .parser, message: "out of memory while parsing", mark: source.mark(ofByte: 0))
        case YAML_READER_ERROR:
            // The reader reports a byte offset, not a mark.
            var message = problem
            if state.problem_value != -1 {
                message += " (0x\(DisplayText.hex(UInt32(truncatingIfNeeded: state.problem_value), width: 2)))"
            }
            return YAMLError(kind: .reader, message: message, mark: source.mark(ofByte: Int(state.problem_offset)))
        default:
            let kind: YAMLError.Kind = state.error == YAML_SCANNER_ERROR ? .scanner : .parser
            let problemMark = mark(state.problem_mark)
            var message = problem
            let hint = IndentationHint.hint(problem: problem, line: problemMark.line, in: source)
            if let context = state.context.map({ String(cString: $0) }) {
                message += " " + context
                let contextMark = mark(state.context_mark)
                if contextMark != problemMark {
                    message += " (started at line \(contextMark.line), column \(contextMark.column))"
                }
            }
            // libyaml's messages never say that the character it cannot use is a
            // tab, and a tab looks like spaces in every editor.
            if source.scalar(line: problemMark.line, column: problemMark.column) == "\t" && !problem.contains("tab") {
                message += " (tabs are not allowed for indentation)"
            }
            if let hint { message += "; " + hint }
            return YAMLError(kind: kind, message: message, mark: problemMark)
        }
    }
}
