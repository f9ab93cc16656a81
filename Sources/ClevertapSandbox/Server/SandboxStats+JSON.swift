extension SandboxStats {
    /// The `GET /sandbox/stats` document, snake_case keys.
    var jsonValue: SandboxValue {
        var accountValues: [String: SandboxValue] = [:]
        for (id, account) in accounts {
            accountValues[id] = [
                "in_flight": .int(account.inFlight),
                "max_in_flight": .int(account.maxInFlight),
                "throttled": .int(account.throttled),
                "profiles": .int(account.profiles),
                "events": .int(account.events),
                "event_names": .int(account.eventNames),
            ]
        }
        return [
            "requests": .int(requests),
            "batches_processed": .int(batchesProcessed),
            "records_processed": .int(recordsProcessed),
            "records_unprocessed": .int(recordsUnprocessed),
            "throttled": .int(throttled),
            "max_in_flight": .int(maxInFlight),
            "in_flight": .int(inFlight),
            "unauthorized": .int(unauthorized),
            "malformed": .int(malformed),
            "injected_429": .int(injected429),
            "injected_500": .int(injected500),
            "injected_502": .int(injected502),
            "injected_503": .int(injected503),
            "dropped": .int(dropped),
            "lost_responses": .int(lostResponses),
            "slow_responses": .int(slowResponses),
            "profile_reads": .int(profileReads),
            "profiles": .int(profiles),
            "events": .int(events),
            "accounts": .object(accountValues),
        ]
    }
}
