/// A decimal number literal read from bytes (`12`, `-3.50`, `007`, `1e3`, `.5`), kept as
/// its significant digits and decimal point so it can be written back as a canonical
/// JSON number without losing precision to `Double`.
///
/// The value is `0.d₁d₂…dₖ × 10ⁿ` with `d₁` non-zero and `dₖ` non-zero (k = 0 for zero),
/// the representation ECMAScript's `Number.prototype.toString` formats from.
struct NumberLiteral {
    var negative: Bool
    /// Where the integer digits and the fraction digits sit in the scanned bytes.
    private var integerDigits: Range<Int>
    private var fractionDigits: Range<Int>
    /// Index, in the joined digit sequence, of the first and one past the last significant digit.
    private var firstSignificant: Int
    private var endSignificant: Int
    /// `n`: the decimal point's position relative to the first significant digit.
    var pointPosition: Int

    /// Scans a whole number literal; nil if `bytes` is anything else (including white space).
    /// Accepts a leading `+`, leading zeros and a missing integer or fraction part
    /// (`.5`, `5.`), none of which JSON allows, because spreadsheets write them.
    init?(_ bytes: UnsafeBufferPointer<UInt8>) {
        let count = bytes.count
        var index = 0
        negative = false
        if index < count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        let integerStart = index
        while index < count, MappingText.isDigit(bytes[index]) { index += 1 }
        let integerDigits = integerStart..<index
        var fractionStart = index
        if index < count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            fractionStart = index
            while index < count, MappingText.isDigit(bytes[index]) { index += 1 }
        }
        let fractionDigits = fractionStart..<index
        guard !integerDigits.isEmpty || !fractionDigits.isEmpty else { return nil }
        var exponent = 0
        if index < count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            var exponentNegative = false
            if index < count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            let exponentStart = index
            while index < count, MappingText.isDigit(bytes[index]) {
                // Saturate: any exponent this large is out of range either way.
                exponent = min(exponent * 10 + Int(bytes[index] - 0x30), 1_000_000)
                index += 1
            }
            guard index > exponentStart else { return nil }
            if exponentNegative { exponent = -exponent }
        }
        guard index == count else { return nil }

        let digitCount = integerDigits.count + fractionDigits.count
        var first = 0
        var end = digitCount
        func digit(_ position: Int) -> UInt8 {
            position < integerDigits.count
                ? bytes[integerDigits.lowerBound + position]
                : bytes[fractionDigits.lowerBound + position - integerDigits.count]
        }
        while first < end, digit(first) == UInt8(ascii: "0") { first += 1 }
        while end > first, digit(end - 1) == UInt8(ascii: "0") { end -= 1 }
        self.integerDigits = integerDigits
        self.fractionDigits = fractionDigits
        firstSignificant = first
        endSignificant = end
        pointPosition = first == end ? 0 : (digitCount - first) - fractionDigits.count + exponent
        if first == end { negative = false }
    }

    var isZero: Bool { firstSignificant == endSignificant }
    var significantDigitCount: Int { endSignificant - firstSignificant }
    /// Whether the value has no fractional part.
    var isIntegral: Bool { isZero || pointPosition >= significantDigitCount }
    /// Whether a double holds the value as a finite number: its magnitude is at most
    /// 1.7976931348623157e308 (compared on the significant digits, so without rounding).
    func isFinite(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if isZero || pointPosition < 309 { return true }
        guard pointPosition == 309 else { return false }
        let largest: StaticString = "17976931348623157"
        let limit = largest.utf8Start
        for index in 0..<significantDigitCount {
            guard index < largest.utf8CodeUnitCount else { return false }
            let digit = significantDigit(index, bytes)
            if digit != limit[index] { return digit < limit[index] }
        }
        return true
    }

    @inline(__always)
    private func significantDigit(_ index: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> UInt8 {
        let position = firstSignificant + index
        return position < integerDigits.count
            ? bytes[integerDigits.lowerBound + position]
            : bytes[fractionDigits.lowerBound + position - integerDigits.count]
    }

    /// The value rounded toward negative infinity, or nil when it does not fit an `Int64`.
    func floorInteger(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        if isZero { return 0 }
        if pointPosition <= 0 { return negative ? -1 : 0 }
        guard pointPosition <= 19 else { return nil }
        var magnitude: Int64 = 0
        for index in 0..<pointPosition {
            let digit = index < significantDigitCount ? Int64(significantDigit(index, bytes) - 0x30) : 0
            let (times, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { return nil }
            magnitude = sum
        }
        if negative {
            return isIntegral ? -magnitude : -magnitude - 1
        }
        return magnitude
    }

    /// The value when it is an integer that fits an `Int64`; nil otherwise.
    func exactInteger(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        isIntegral ? floorInteger(bytes) : nil
    }

    /// Appends the canonical JSON spelling: no leading or trailing zeros, plain notation for
    /// magnitudes from 1e-6 to below 1e21 and exponent notation beyond, as ECMAScript
    /// prints numbers. `1.50` → `1.5`, `007` → `7`, `1e3` → `1000`, `-0` → `0`.
    func write(_ bytes: UnsafeBufferPointer<UInt8>, into output: inout RawBuffer<UInt8>) {
        if isZero {
            output.append(UInt8(ascii: "0"))
            return
        }
        output.reserve(significantDigitCount + 32)
        if negative { output.append(UInt8(ascii: "-")) }
        let k = significantDigitCount
        let n = pointPosition
        if k <= n && n <= 21 {
            for index in 0..<k { output.append(significantDigit(index, bytes)) }
            for _ in k..<n { output.append(UInt8(ascii: "0")) }
        } else if 0 < n && n <= 21 {
            for index in 0..<n { output.append(significantDigit(index, bytes)) }
            output.append(UInt8(ascii: "."))
            for index in n..<k { output.append(significantDigit(index, bytes)) }
        } else if -6 < n && n <= 0 {
            output.append(UInt8(ascii: "0"))
            output.append(UInt8(ascii: "."))
            for _ in 0..<(-n) { output.append(UInt8(ascii: "0")) }
            for index in 0..<k { output.append(significantDigit(index, bytes)) }
        } else {
            output.append(significantDigit(0, bytes))
            if k > 1 {
                output.append(UInt8(ascii: "."))
                for index in 1..<k { output.append(significantDigit(index, bytes)) }
            }
            output.append(UInt8(ascii: "e"))
            output.appendDecimal(Int64(n - 1))
        }
    }
}
