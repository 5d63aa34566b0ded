import CYAML

extension YAMLNode {
    /// Parses one YAML (or JSON) document. An empty document is `nil`.
    /// At most a million nodes are expanded, so an alias bomb in an untrusted HTTP policy
    /// fails instead of exhausting memory.
    public static func parse(_ text: String) throws(YAMLError) -> YAMLNode? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw YAMLError(line: 0, reason: "cannot initialise the YAML parser")
        }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(text.utf8)
        var document = yaml_document_t()
        let loaded = bytes.withUnsafeMutableBufferPointer { buffer -> Int32 in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            return yaml_parser_load(&parser, &document)
        }
        guard loaded == 1 else {
            let reason = parser.problem.map { String(cString: $0) } ?? "malformed YAML"
            throw YAMLError(line: Int(parser.problem_mark.line) + 1, reason: reason)
        }
        defer { yaml_document_delete(&document) }
        guard let root = yaml_document_get_root_node(&document) else { return nil }
        var budget = 1_000_000
        return try convert(root, in: &document, depth: 0, budget: &budget)
    }

    private static func convert(
        _ node: UnsafeMutablePointer<yaml_node_t>, in document: inout yaml_document_t, depth: Int, budget: inout Int
    ) throws(YAMLError) -> YAMLNode {
        let line = Int(node.pointee.start_mark.line) + 1
        guard depth < 64 else { throw YAMLError(line: line, reason: "nesting deeper than 64 levels") }
        budget -= 1
        guard budget > 0 else { throw YAMLError(line: line, reason: "more than a million nodes") }
        switch node.pointee.type {
        case YAML_SCALAR_NODE:
            let scalar = node.pointee.data.scalar
            let buffer = UnsafeBufferPointer(start: scalar.value, count: scalar.length)
            let value = String(decoding: buffer, as: UTF8.self)
            return .scalar(YAMLScalar(value: value, isPlain: scalar.style == YAML_PLAIN_SCALAR_STYLE, line: line))
        case YAML_SEQUENCE_NODE:
            var items: [YAMLNode] = []
            var item = node.pointee.data.sequence.items.start
            while item != node.pointee.data.sequence.items.top, let item_ = item {
                guard let child = yaml_document_get_node(&document, item_.pointee) else { break }
                items.append(try convert(child, in: &document, depth: depth + 1, budget: &budget))
                item = item_ + 1
            }
            return .sequence(items, line: line)
        case YAML_MAPPING_NODE:
            var pairs: [(key: YAMLScalar, value: YAMLNode)] = []
            var pair = node.pointee.data.mapping.pairs.start
            while pair != node.pointee.data.mapping.pairs.top, let pair_ = pair {
                guard let keyNode = yaml_document_get_node(&document, pair_.pointee.key),
                    let valueNode = yaml_document_get_node(&document, pair_.pointee.value)
                else { break }
                guard case .scalar(let key) = try convert(keyNode, in: &document, depth: depth + 1, budget: &budget)
                else {
                    throw YAMLError(line: line, reason: "a mapping key must be a plain value")
                }
                pairs.append((key, try convert(valueNode, in: &document, depth: depth + 1, budget: &budget)))
                pair = pair_ + 1
            }
            return .mapping(pairs, line: line)
        default:
            throw YAMLError(line: line, reason: "empty node")
        }
    }
}
