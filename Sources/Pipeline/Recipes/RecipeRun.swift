import Compression
import Dispatch
import Foundation
import ModelIO
import NN

/// How `compress run` uses the stage cache.
public struct RecipeRunOptions: Sendable {
    /// Reuse cached stage results; false runs every stage (and refreshes the cache).
    public var useCache = true
    public var cache = StageCache()

    public init(useCache: Bool = true, cache: StageCache = StageCache()) {
        self.useCache = useCache
        self.cache = cache
    }
}

/// What a recipe run reports while it goes.
public enum RecipeEvent: Sendable {
    /// A stage starts running (it was not in the cache, or the cache is off).
    case stageStarted(RecipePlan.Stage, key: String)
    /// Progress inside the running stage.
    case progress(RecipePlan.Stage, StageProgress)
    /// A stage finished: `cached` when its result came from the cache.
    case stageFinished(StageRecord, cached: Bool)
    /// An output file was written.
    case wrote(String)
}

/// Loads the splits a plan needs: the test split always (every stage is evaluated on it), the
/// training split when a stage trains. Errors name the recipe's `data` line.
public func loadRecipeData(_ plan: RecipePlan) throws -> StageData {
    do {
        let test = try plan.dataSource.load(split: .test, normalization: plan.normalization)
        let train = plan.needsTrainingData ? try plan.dataSource.load(split: .train, normalization: plan.normalization) : nil
        return StageData(train: train, test: test)
    } catch {
        throw plan.document.error(at: [.key("data")], String(describing: error))
    }
}

/// The fingerprint of the data a plan runs on, for ``RecipePlan/cacheKeys(dataFingerprint:)``.
public func recipeDataFingerprint(_ data: StageData, normalization: PixelNormalization) -> String {
    datasetFingerprint((data.train.map { [$0] } ?? []) + [data.test]) + "-" + normalization.rawValue
}

/// Runs a recipe: each stage in turn, from the cache when its key is there (see
/// ``RecipePlan/cacheKeys(dataFingerprint:)``), otherwise with `executor`, storing its result;
/// then writes the outputs the recipe asks for and returns the run's report.
///
/// After each stage the model is evaluated on the test split and its size as a `.dcz` file is
/// measured, so the report can show accuracy and size stage by stage. A stage that fails is an
/// error naming the recipe line of the stage; the stages before it stay cached.
public func runRecipe(_ plan: RecipePlan, data: StageData, options: RecipeRunOptions = RecipeRunOptions(),
                      executor: StageExecutor = PassStageExecutor(), onEvent: (RecipeEvent) -> Void = { _ in }) throws -> RecipeRunReport {
    let keys = try plan.cacheKeys(dataFingerprint: recipeDataFingerprint(data, normalization: plan.normalization))
    let cache = options.cache
    var input = plan.model
    var entries: [RecipeRunReport.Stage] = []
    for (stage, key) in zip(plan.stages, keys) {
        if options.useCache, var record = cache.lookup(key) {
            // The result is this stage's (the key covers every setting), but its name and settings
            // are told as this recipe and this version write them: a renamed stage keeps its key.
            record.label = stage.label
            record.settings = stage.resolved.summary
            entries.append(.init(record: record, cached: true))
            onEvent(.stageFinished(record, cached: true))
            input = cache.artifactPath(record)
            continue
        }
        onEvent(.stageStarted(stage, key: key))
        let record = try runStage(stage, key: key, input: input, plan: plan, data: data, cache: cache, executor: executor) {
            onEvent(.progress(stage, $0))
        }
        entries.append(.init(record: record, cached: false))
        onEvent(.stageFinished(record, cached: false))
        input = cache.artifactPath(record)
    }

    let startParameters = try plan.model.map { try loadModel(path: $0).parameterCount } ?? entries[0].record.parameters
    var report = RecipeRunReport(recipe: plan.document.file, name: plan.name, data: plan.data, trainImages: data.train?.count,
                                 testImages: data.test.count, startParameters: startParameters, stages: entries,
                                 outputs: [], finalModel: nil)
    try writeOutputs(plan, report: &report, data: data, cache: cache, onEvent: onEvent)
    return report
}

/// Runs one stage into a work folder, measures its model, and stores it in the cache.
private func runStage(_ stage: RecipePlan.Stage, key: String, input: String?, plan: RecipePlan, data: StageData, cache: StageCache,
                      executor: StageExecutor, onProgress: (StageProgress) -> Void) throws -> StageRecord {
    let work = try cache.makeWorkFolder(for: key)
    do {
        let artifact = stage.stage.type == .huffman ? "model.\(CompressedModelFormat.fileExtension)" : "model.h5"
        let output = URL(fileURLWithPath: work).appendingPathComponent(artifact).path
        let start = DispatchTime.now().uptimeNanoseconds
        let detail = try executor.run(stage, input: input, output: output, modelName: plan.name, data: data, onProgress: onProgress)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let model: Model, compressedBytes: Int?
        let artifactBytes = try fileSize(output)
        if stage.stage.type == .huffman {
            model = try loadCompressedModel(path: output).model
            compressedBytes = artifactBytes
        } else {
            let (loaded, state) = try loadModelWithCompressionState(path: output)
            model = loaded
            compressedBytes = try? encodeCompressedModel(model, name: plan.name, state: state, sourceFile: output).bytes.count
        }
        try checkModelFitsData(model, data.test)
        let evaluation = evaluateModel(model, on: data.test)
        let record = StageRecord(
            number: stage.index + 1, type: stage.stage.type, label: stage.label, key: key, settings: stage.resolved.summary,
            artifact: artifact, artifactBytes: artifactBytes, compressedBytes: compressedBytes, parameters: model.parameterCount,
            nonZeros: model.parameters.reduce(0) { $0 + nonZeroCount($1) }, top1: evaluation.top1Accuracy,
            top5: evaluation.top5Accuracy, seconds: seconds, detail: detail)
        try cache.store(record, from: work)
        return record
    } catch {
        cache.discardWorkFolder(work)
        if error is RecipeError { throw error }
        throw RecipeError(file: plan.document.file, line: stage.line, key: "stages[\(stage.index)]",
                          "stage \(stage.index + 1) (\(stage.label)) failed: \(oneLineDescription(error))")
    }
}

/// Copies the final model and compressed file to the output paths, writes the report and the plots.
private func writeOutputs(_ plan: RecipePlan, report: inout RecipeRunReport, data: StageData, cache: StageCache,
                          onEvent: (RecipeEvent) -> Void) throws {
    let outputs = plan.outputs
    let records = report.stages.map(\.record)
    let lastModel = records.last { $0.type != .huffman }
    let compressed = records.last { $0.type == .huffman }
    let wanted = [outputs.model, outputs.compressed, outputs.report, outputs.plots].compactMap { $0 }
    guard !wanted.isEmpty else { return }
    try FileManager.default.createDirectory(atPath: outputs.directory, withIntermediateDirectories: true)
    func copy(_ record: StageRecord, to path: String) throws {
        try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        let source = cache.artifactPath(record)
        try writeAtomically(to: path, protecting: [source] + (plan.model.map { [$0] } ?? [])) { temporary in
            try writeNewFile([UInt8](try Data(contentsOf: URL(fileURLWithPath: source))), to: temporary)
        }
        report.outputs.append(path)
        onEvent(.wrote(path))
    }
    if let path = outputs.model, let lastModel { try copy(lastModel, to: path) }
    if let path = outputs.compressed, let compressed { try copy(compressed, to: path) }

    let finalRecord = compressed ?? lastModel ?? records[records.count - 1]
    let finalPath = (compressed != nil ? outputs.compressed : outputs.model) ?? cache.artifactPath(finalRecord)
    let (modelReport, model) = try makeModelReport(path: finalPath, test: data.test, data: plan.data)
    report.finalModel = modelReport

    if let plots = outputs.plots {
        try FileManager.default.createDirectory(atPath: plots, withIntermediateDirectories: true)
        func plot(_ svg: String, _ name: String) throws {
            let path = RecipePlan.plotPath(plots, name)
            try writeText(svg, to: path)
            report.outputs.append(path)
            onEvent(.wrote(path))
        }
        try plot(report.sizeChart.svg(), RecipePlan.sizeChartName)
        for histogram in WeightHistogram.kernels(of: model) { try plot(histogram.svg(), histogram.fileName) }
    }
    if let path = outputs.report {
        try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        report.outputs.append(path)
        let text: String
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "md", "markdown": text = report.markdown
        case "json": text = try report.json()
        default: text = report.text
        }
        try writeText(text + "\n", to: path)
        onEvent(.wrote(path))
    }
}
