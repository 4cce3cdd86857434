import NN

/// Layer names of a model being rebuilt: the original names plus those handed out so far.
struct UniqueLayerNames {
    private var taken: Set<String>

    init(_ names: [String]) { taken = Set(names) }

    /// `base` if it is free, else `base_1`, `base_2`, ...; the name returned is then taken.
    mutating func claim(_ base: String) -> String {
        var name = base
        var suffix = 0
        while taken.contains(name) {
            suffix += 1
            name = "\(base)_\(suffix)"
        }
        taken.insert(name)
        return name
    }
}

/// The names of the layers a pass considers: those matched by `selection`, or with no selection
/// every layer of type `T`.
///
/// - Throws: ``CompressionError`` when a pattern matches nothing, or when nothing considered is a `T`.
func selectLayers<T: ModelLayer>(of model: Model, _ selection: LayerSelection?, type: T.Type,
                            typeName: String) throws -> Set<String> {
    let names: [String]
    if let selection {
        names = try selection.select(from: model.layerNames)
    } else {
        names = model.entries.filter { $0.layer is T }.map(\.name)
    }
    guard names.contains(where: { model.layer(named: $0) is T }) else {
        let what = selection.map { "the layers selected by '\($0.patterns.joined(separator: ","))' include" } ?? "the model has"
        throw CompressionError("\(what) no \(typeName) layer (layers: \(model.layerNames.joined(separator: ", ")))")
    }
    return Set(names)
}

/// Rebuilds `model`, letting `replace` swap each selected layer for new named layers (or keep
/// it, returning nil), and collects the per-layer outcomes in model order.
func replaceLayers(
    of model: Model, selected: Set<String>,
    _ replace: (String, any ModelLayer, inout UniqueLayerNames) throws -> ([(String, any ModelLayer)]?, LayerFactorization)
) rethrows -> FactorizedModel {
    var names = UniqueLayerNames(model.layerNames)
    let rebuilt = Model(inputShape: model.inputShape, inputName: model.inputName)
    var outcomes: [LayerFactorization] = []
    // A replaced layer's consumers take the last layer of its replacement.
    var renamed: [String: String] = [:]
    for entry in model.entries {
        var inputs = entry.inputs.map { renamed[$0] ?? $0 }
        guard selected.contains(entry.name) else {
            rebuilt.append(entry.name, entry.layer, inputs: inputs)
            continue
        }
        let (replacement, outcome) = try replace(entry.name, entry.layer, &names)
        outcomes.append(outcome)
        for (name, layer) in replacement ?? [(entry.name, entry.layer)] {
            rebuilt.append(name, layer, inputs: inputs)
            inputs = [name]
        }
        renamed[entry.name] = inputs[0]
    }
    return FactorizedModel(model: rebuilt, layers: outcomes)
}

/// The shape of a layer's kernel (`kernel` or `depthwise_kernel`), or `[]` for a layer without one.
func kernelShape(of layer: any ModelLayer) -> [Int] {
    (layer.parameter(named: "kernel") ?? layer.parameter(named: "depthwise_kernel"))?.shape ?? []
}
