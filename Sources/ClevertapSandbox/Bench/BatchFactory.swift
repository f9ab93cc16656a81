/// Builds valid upload bodies for the load generator, by hand.
enum BatchFactory {
    /// A `{"d":[...]}` body of `size` valid records; batch `index` uses its own identities.
    static func body(kind: LoadGeneratorOptions.RecordKind, index: Int, size: Int) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: size * 300)
        writer.raw("{\"d\":[")
        let baseTimestamp = 1_700_000_000
        for position in 0..<size {
            if position > 0 { writer.raw(",") }
            let number = index * size + position
            let identity = "user-\(number)"
            switch kind {
            case .profiles:
                writer.raw("{\"type\":\"profile\",\"identity\":")
                writer.write(identity)
                writer.raw(",\"ts\":")
                writer.write(baseTimestamp + number % 86_400)
                writer.raw(",\"profileData\":{\"Name\":")
                writer.write("Customer \(number)")
                writer.raw(",\"Email\":")
                writer.write("customer\(number)@example.com")
                writer.raw(",\"Phone\":")
                writer.write("+1415\(String(1_000_000 + number % 9_000_000))")
                writer.raw(number % 2 == 0 ? ",\"Gender\":\"M\"" : ",\"Gender\":\"F\"")
                writer.raw(",\"DOB\":")
                writer.write("$D_\(500_000_000 + number)")
                writer.raw(",\"MSG-email\":")
                writer.raw(number % 3 == 0 ? "false" : "true")
                writer.raw(",\"Customer Type\":\"Gold\",\"Score\":")
                writer.write(number % 1000)
                writer.raw(",\"City\":\"Pune\"}}")
            case .events:
                writer.raw("{\"type\":\"event\",\"identity\":")
                writer.write(identity)
                writer.raw(",\"ts\":")
                writer.write(baseTimestamp + number % 86_400)
                writer.raw(",\"evtName\":\"Order Placed\",\"evtData\":{\"Amount\":")
                writer.write(number % 500)
                writer.raw(",\"Currency\":\"USD\",\"Order Id\":")
                writer.write("order-\(number)")
                writer.raw(",\"Delivery By\":")
                writer.write("$D_\(baseTimestamp + 86_400)")
                writer.raw("}}")
            }
        }
        writer.raw("]}")
        return writer.bytes
    }
}
