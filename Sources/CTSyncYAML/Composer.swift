/// Builds the node tree from libyaml's events: resolves anchors, aliases and
/// merge keys, and refuses what the spec format does not allow (duplicate
/// keys, several documents, non-scalar keys) or what would exhaust resources
/// (deep nesting, alias expansion).
///
/// Recursive descent, one call per node: recursion depth is bounded by
/// ``YAMLLimits/maxDepth`` because depth is checked before descending.
struct Composer {
    /// A composed node with the two figures an alias to it needs for the limits.
    private struct Composed {
        let node: Node
        /// Levels of sequences and mappings in the node, aliases expanded; 0 for a scalar.
        let height: Int
        /// Nodes in the node, aliases expanded.
        let count: Int
        /// Bytes of scalar text in the node, aliases expanded.
        let bytes: Int
    }

    private enum AnchorState {
        /// The anchored collection is still open: an alias to it would be a cycle.
        case composing
        case composed(Composed)
    }

    /// A mapping entry before merge keys are applied.
    private enum Entry {
        case pair(Pair)
        case merge([[Pair]])
    }

    private let parser: LibYAMLParser
    private let limits: YAMLLimits
    private var anchors: [String: AnchorState] = [:]
    /// Every node so far, each alias counted as a full copy of its target, so
    /// the budget bounds what any consumer walking the tree would visit.
    private var nodeCount = 0
    /// Bytes of scalar text so far, counted the same way.
    private var scalarBytes = 0

    init(source: SourceText, limits: YAMLLimits) throws(YAMLError) {
        self.parser = try LibYAMLParser(source: source)
        self.limits = limits
    }

    /// The single document in the stream, or nil when there is none or it is empty.
    mutating func composeDocument() throws(YAMLError) -> Node? {
        try expect(parser.next(), .streamStart)
        let first = try parser.next()
        if first.kind == .streamEnd { return nil }
        try expect(first, .documentStart)

        let root = try compose(parser.next(), parentLevel: 0).node
        try expect(parser.next(), .documentEnd)

        let next = try parser.next()
        if next.kind == .documentStart {
            throw YAMLError.composer("multiple documents are not supported", at: next.mark)
        }
        try expect(next, .streamEnd)

        if let scalar = root.scalar, scalar.style == .plain, scalar.tag == nil, scalar.value.isEmpty {
            return nil
        }
        return root
    }

    // MARK: - Nodes

    private mutating func compose(_ event: Event, parentLevel: Int) throws(YAMLError) -> Composed {
        switch event.kind {
        case .scalar(let scalar, let anchor):
            try countNode(at: event.mark)
            let bytes = scalar.value.utf8.count
            guard bytes <= limits.maxScalarBytes - scalarBytes else {
                throw YAMLError.composer(
                    "document has more than \(limits.maxScalarBytes) bytes of text (counting each alias as a copy of its anchor)",
                    at: event.mark)
            }
            scalarBytes += bytes
            let composed = Composed(node: .scalar(scalar), height: 0, count: 1, bytes: bytes)
            if let anchor { anchors[anchor] = .composed(composed) }
            return composed
        case .alias(let anchor):
            return try resolveAlias(anchor, at: event.mark, parentLevel: parentLevel)
        case .sequenceStart(let anchor):
            return try composeSequence(event, anchor: anchor, parentLevel: parentLevel).composed
        case .mappingStart(let anchor):
            return try composeMapping(event, anchor: anchor, parentLevel: parentLevel)
        default:
            throw unexpected(event, expected: "a node")
        }
    }

    /// Also returns where each item was written, which differs from the
    /// item's own mark when the item is an alias.
    private mutating func composeSequence(
        _ start: Event, anchor: String?, parentLevel: Int
    ) throws(YAMLError) -> (composed: Composed, itemMarks: [Mark]) {
        let level = try enterCollection(start, anchor: anchor, parentLevel: parentLevel)
        let countBefore = nodeCount - 1
        let bytesBefore = scalarBytes
        var items: [Node] = []
        var itemMarks: [Mark] = []
        var childHeight = 0
        while true {
            let event = try parser.next()
            if event.kind == .sequenceEnd { break }
            let item = try compose(event, parentLevel: level)
            items.append(item.node)
            itemMarks.append(event.mark)
            childHeight = max(childHeight, item.height)
        }
        let composed = Composed(
            node: .sequence(items, start.mark), height: childHeight + 1, count: nodeCount - countBefore,
            bytes: scalarBytes - bytesBefore)
        if let anchor { anchors[anchor] = .composed(composed) }
        return (composed, itemMarks)
    }

    /// Merged pairs are placed where the `<<` key is, in the order of the
    /// merged mappings, skipping keys the mapping defines itself (anywhere in
    /// it) and keys an earlier merged mapping already supplied.
    private mutating func composeMapping(_ start: Event, anchor: String?, parentLevel: Int) throws(YAMLError)
        -> Composed
    {
        let level = try enterCollection(start, anchor: anchor, parentLevel: parentLevel)
        let countBefore = nodeCount - 1
        let bytesBefore = scalarBytes
        var entries: [Entry] = []
        var keyMarks: [String: Mark] = [:]
        var hasMerge = false
        var childHeight = 0
        while true {
            let keyEvent = try parser.next()
            if keyEvent.kind == .mappingEnd { break }
            let key = try compose(keyEvent, parentLevel: level)
            guard let keyScalar = key.node.scalar else {
                throw YAMLError.composer("a \(key.node.kindName) cannot be used as a mapping key", at: keyEvent.mark)
            }
            if let first = keyMarks[keyScalar.value] {
                let key = DisplayText.quoted(keyScalar.value)
                throw YAMLError.composer(
                    "duplicate key \(key) (first defined at line \(first.line), column \(first.column))",
                    at: keyEvent.mark)
            }
            keyMarks[keyScalar.value] = keyEvent.mark

            let valueEvent = try parser.next()
            if Self.isMergeKey(keyScalar) {
                let (sources, height) = try composeMergeSources(valueEvent, parentLevel: level)
                entries.append(.merge(sources))
                hasMerge = true
                childHeight = max(childHeight, height)
            } else {
                let value = try compose(valueEvent, parentLevel: level)
                entries.append(.pair(Pair(key: key.node, value: value.node)))
                childHeight = max(childHeight, key.height, value.height)
            }
        }

        var pairs: [Pair] = []
        pairs.reserveCapacity(entries.count)
        var seenKeys = hasMerge ? Set(keyMarks.keys) : []
        for entry in entries {
            switch entry {
            case .pair(let pair):
                pairs.append(pair)
            case .merge(let sources):
                for source in sources {
                    for pair in source where seenKeys.insert(pair.key.scalar?.value ?? "").inserted {
                        pairs.append(pair)
                    }
                }
            }
        }
        let composed = Composed(
            node: .mapping(pairs, start.mark), height: childHeight + 1, count: nodeCount - countBefore,
            bytes: scalarBytes - bytesBefore)
        if let anchor { anchors[anchor] = .composed(composed) }
        return composed
    }

    // MARK: - Merge keys

    /// A plain `<<`, or any key tagged `!!merge`.
    private static func isMergeKey(_ key: Scalar) -> Bool {
        key.tag == CoreSchema.mergeTag || (key.style == .plain && key.tag == nil && key.value == "<<")
    }

    /// The pairs of each mapping a merge key's value names, in order.
    private mutating func composeMergeSources(
        _ event: Event, parentLevel: Int
    ) throws(YAMLError) -> (sources: [[Pair]], height: Int) {
        let value: Composed
        var itemMarks: [Mark] = []
        if case .sequenceStart(let anchor) = event.kind {
            (value, itemMarks) = try composeSequence(event, anchor: anchor, parentLevel: parentLevel)
        } else {
            value = try compose(event, parentLevel: parentLevel)
        }

        switch value.node {
        case .mapping(let pairs, _):
            return ([pairs], value.height)
        case .sequence(let items, _):
            var sources: [[Pair]] = []
            for (index, item) in items.enumerated() {
                guard let pairs = item.mapping else {
                    throw YAMLError.composer(
                        "merge key \"<<\" needs a sequence of mappings, but item \(index + 1) is a \(item.kindName)",
                        at: index < itemMarks.count ? itemMarks[index] : item.mark)
                }
                sources.append(pairs)
            }
            return (sources, value.height)
        case .scalar:
            throw YAMLError.composer(
                "merge key \"<<\" needs a mapping or a sequence of mappings, found a scalar", at: event.mark)
        }
    }

    // MARK: - Limits

    /// Checks depth and counts the collection itself; returns its level (the root collection is level 1).
    private mutating func enterCollection(_ start: Event, anchor: String?, parentLevel: Int) throws(YAMLError) -> Int {
        let level = parentLevel + 1
        guard level <= limits.maxDepth else {
            throw YAMLError.composer("nesting deeper than \(limits.maxDepth) levels", at: start.mark)
        }
        try countNode(at: start.mark)
        if let anchor { anchors[anchor] = .composing }
        return level
    }

    private mutating func countNode(at mark: Mark) throws(YAMLError) {
        nodeCount += 1
        guard nodeCount <= limits.maxNodes else {
            throw YAMLError.composer(
                "document has more than \(limits.maxNodes) nodes (counting each alias as a copy of its anchor)",
                at: mark)
        }
    }

    /// An alias costs what its target costs, in nodes and in bytes of text,
    /// checked before anything is shared, so a billion-laughs or quadratic-blowup
    /// file fails at the first alias over budget without ever expanding anything.
    private mutating func resolveAlias(_ anchor: String, at mark: Mark, parentLevel: Int) throws(YAMLError) -> Composed
    {
        let alias = DisplayText.quoted("*" + anchor)
        guard let state = anchors[anchor] else {
            throw YAMLError.composer(
                "unknown alias \(alias) (no anchor \(DisplayText.quoted("&" + anchor)) is defined before it)", at: mark)
        }
        guard case .composed(let target) = state else {
            throw YAMLError.composer(
                "alias \(alias) refers to a node that contains it (recursive structures are not supported)", at: mark)
        }
        guard parentLevel + target.height <= limits.maxDepth else {
            throw YAMLError.composer("nesting deeper than \(limits.maxDepth) levels (through alias \(alias))", at: mark)
        }
        guard target.count <= limits.maxNodes - nodeCount else {
            throw YAMLError.composer(
                "alias expansion exceeds the limit of \(limits.maxNodes) nodes (possible billion laughs attack)",
                at: mark)
        }
        guard target.bytes <= limits.maxScalarBytes - scalarBytes else {
            throw YAMLError.composer(
                "alias expansion exceeds the limit of \(limits.maxScalarBytes) bytes of text (possible quadratic blowup attack)",
                at: mark)
        }
        nodeCount += target.count
        scalarBytes += target.bytes
        return target
    }

    // MARK: - Event order

    /// libyaml guarantees the event grammar; this only turns a broken
    /// guarantee into an error instead of a crash.
    private func expect(_ event: Event, _ kind: Event.Kind) throws(YAMLError) {
        guard event.kind == kind else { throw unexpected(event, expected: "\(kind)") }
    }

    private func unexpected(_ event: Event, expected: String) -> YAMLError {
        YAMLError.composer("unexpected parser event \(event.kind) (expected \(expected))", at: event.mark)
    }
}
