import ModelIO
import NN

/// Renders a `FileInspection` as text for `compress inspect`.
///
/// A Keras model shows its layers and the parameter total; a compressed model file its layers
/// with their encodings, bits and bytes; any other HDF5 file shows its tree of groups and
/// datasets. `showTree` adds the tree for Keras models too.
public func inspectionText(_ inspection: FileInspection, showTree: Bool = false) -> String {
    var sections = ["\(inspection.file): \(inspection.format), \(groupedDigits(inspection.bytes)) bytes"]
    if let compressed = inspection.compressed {
        sections.append(compressedModelText(compressed))
        return sections.joined(separator: "\n\n")
    }
    if let keras = inspection.keras {
        sections.append(kerasLayersText(keras))
    }
    if inspection.keras == nil || showTree {
        sections.append(objectTreeText(inspection.objects))
    }
    return sections.joined(separator: "\n\n")
}

private func kerasLayersText(_ model: KerasModelSummary) -> String {
    var table = TextTable(header: ["layer", "type", "units/filters", "kernel", "parameters"], rightAligned: [2, 4])
    for layer in model.layers {
        let width = layer.units ?? layer.filters
        table.rows.append([layer.name, layer.type, width.map(String.init) ?? "-",
                           layer.kernelShape.map(shapeText) ?? "-", groupedDigits(layer.parameters)])
    }
    table.rows.append(["total", "", "", "", groupedDigits(model.totalParameters)])
    var title = "Keras model '\(model.name.escapingControlCharacters)'"
    if let input = model.inputShape { title += ", input \(shapeText(input))" }
    if let version = model.kerasVersion { title += ", Keras \(version)" }
    return title + "\n" + table.render()
}

private func objectTreeText(_ objects: [HDF5ObjectSummary]) -> String {
    var table = TextTable(header: ["object", "shape", "dtype", "elements", "bytes"], rightAligned: [3, 4])
    for object in objects {
        let depth = object.path == "/" ? 0 : object.path.split(separator: "/").count
        let name = object.path == "/" ? "/" : String(object.path.split(separator: "/").last!)
        let label = String(repeating: "  ", count: max(depth - 1, 0)) + name + (object.kind == "group" && object.path != "/" ? "/" : "")
        table.rows.append([label, object.shape.map(shapeText) ?? "", object.dtype ?? "",
                           object.elements.map(groupedDigits) ?? "", object.bytes.map(groupedDigits) ?? ""])
    }
    return table.render()
}
