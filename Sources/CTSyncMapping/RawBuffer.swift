/// A growable buffer of trivial values (no references: bytes, integers, ranges, plain
/// enums) in manually managed memory.
///
/// The mapper's per-row storage: unlike `Array`, appending does no uniqueness check and
/// copying the struct copies three words without reference counting. The owner frees
/// it (``free()``) exactly once; copies share the memory, so after an append that grows
/// the buffer only the copy that grew is valid.
struct RawBuffer<Element> {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var capacity: Int
    var count: Int = 0

    init(capacity: Int) {
        assert(_isPOD(Element.self), "RawBuffer holds only trivial values")
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    func free() {
        base.deallocate()
    }

    /// Makes room for `extra` more elements. Pointers into the buffer taken before this
    /// call are invalid after it.
    @inline(__always)
    mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(to: count + extra) }
    }

    @inline(never)
    private mutating func grow(to minimum: Int) {
        let newCapacity = max(capacity * 2, minimum)
        let newBase = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    mutating func append(_ element: Element) {
        reserve(1)
        base[count] = element
        count += 1
    }

    @inline(__always)
    mutating func append(_ elements: UnsafeBufferPointer<Element>) {
        guard let source = elements.baseAddress else { return }
        reserve(elements.count)
        (base + count).update(from: source, count: elements.count)
        count += elements.count
    }

    @inline(__always)
    subscript(index: Int) -> Element {
        get { base[index] }
        nonmutating set { base[index] = newValue }
    }

    @inline(__always)
    subscript(range: Range<Int>) -> UnsafeBufferPointer<Element> {
        UnsafeBufferPointer(start: base + range.lowerBound, count: range.count)
    }
}

extension RawBuffer where Element == UInt8 {
    @inline(__always)
    mutating func append(_ literal: StaticString) {
        append(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Appends the UTF-8 of `text` and returns where it went.
    @discardableResult
    mutating func append(_ text: String) -> Range<Int> {
        let start = count
        if text.utf8.withContiguousStorageIfAvailable({ append($0) }) == nil {
            for byte in text.utf8 { append(byte) }
        }
        return start..<count
    }

    /// Appends `value` in decimal, two digits per division.
    mutating func appendDecimal(_ value: Int64) {
        reserve(20)
        if value < 0 {
            base[count] = UInt8(ascii: "-")
            count += 1
        }
        var magnitude = value.magnitude
        var digits = 1
        var limit: UInt64 = 10
        while digits < 20, magnitude >= limit {
            digits += 1
            limit = limit &* 10
        }
        let pairs = RawBuffer.digitPairs.utf8Start
        var position = count + digits
        count = position
        while magnitude >= 100 {
            let (quotient, remainder) = magnitude.quotientAndRemainder(dividingBy: 100)
            position -= 2
            base[position] = pairs[Int(remainder) * 2]
            base[position + 1] = pairs[Int(remainder) * 2 + 1]
            magnitude = quotient
        }
        if magnitude >= 10 {
            base[position - 2] = pairs[Int(magnitude) * 2]
            base[position - 1] = pairs[Int(magnitude) * 2 + 1]
        } else {
            base[position - 1] = UInt8(truncatingIfNeeded: magnitude) &+ 0x30
        }
    }

    /// "00" through "99".
    private static var digitPairs: StaticString {
        // swift-format-ignore
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
    }

    /// Appends bytes of this same buffer (`range` must lie before ``count``).
    @inline(__always)
    mutating func appendCopy(of range: Range<Int>) {
        reserve(range.count)
        (base + count).update(from: base + range.lowerBound, count: range.count)
        count += range.count
    }

    /// The bytes as a new array.
    var array: [UInt8] {
        [UInt8](UnsafeBufferPointer(start: base, count: count))
    }
}
