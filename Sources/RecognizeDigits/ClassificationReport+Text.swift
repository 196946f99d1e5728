import Foundation

extension ClassificationReport: CustomStringConvertible {
    /// `rendered()`.
    public var description: String { rendered() }

    /// The report as aligned text: the accuracy line, a table of each class's precision,
    /// recall and support, and the confusion matrix with the true labels down the side and
    /// the predicted classes across. With `classNames` (one per class), the table names each
    /// class. Undefined precision or recall shows as "-".
    ///
    /// ```text
    /// accuracy: 0.6250 (5/8)
    ///
    /// class  precision  recall  support
    ///     0     0.6667  0.6667        3
    ///     1     0.6000  1.0000        3
    ///     2          -  0.0000        2
    ///
    /// confusion matrix (rows: true label, columns: predicted class)
    /// true\pred  0  1  2
    ///         0  2  1  0
    ///         1  0  3  0
    ///         2  1  1  0
    /// ```
    public func rendered(classNames: [String]? = nil) -> String {
        let names = classNames?.count == classCount ? classNames : nil
        var lines = ["accuracy: " + String(format: "%.4f", accuracy) + " (\(correct)/\(total))", ""]
        lines += classTable(names: names)
        lines.append("")
        lines += matrixLines()
        return lines.joined(separator: "\n")
    }

    private func classTable(names: [String]?) -> [String] {
        func figure(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "-" }
        var columns: [(header: String, cells: [String], leftAligned: Bool)] = [
            ("class", (0..<classCount).map(String.init), false)
        ]
        if let names { columns.append(("name", names, true)) }
        columns += [
            ("precision", (0..<classCount).map { figure(precision(of: $0)) }, false),
            ("recall", (0..<classCount).map { figure(recall(of: $0)) }, false),
            ("support", (0..<classCount).map { String(support(of: $0)) }, false),
        ]
        let widths = columns.map { column in column.cells.reduce(column.header.count) { max($0, $1.count) } }
        func row(_ cell: (Int) -> String) -> String {
            columns.indices.map { c in pad(cell(c), widths[c], left: columns[c].leftAligned) }
                .joined(separator: "  ").trailingSpacesRemoved
        }
        return [row { columns[$0].header }] + (0..<classCount).map { r in row { columns[$0].cells[r] } }
    }

    private func matrixLines() -> [String] {
        let corner = "true\\pred"
        let largest = confusionMatrix.joined().max() ?? 0
        let width = max(String(largest).count, String(classCount - 1).count)
        func row(_ head: String, _ cells: [String]) -> String {
            ([pad(head, corner.count, left: false)] + cells.map { pad($0, width, left: false) }).joined(separator: "  ")
        }
        return [
            "confusion matrix (rows: true label, columns: predicted class)",
            row(corner, (0..<classCount).map(String.init)),
        ]
            + (0..<classCount).map { t in row(String(t), confusionMatrix[t].map(String.init)) }
    }

    private func pad(_ s: String, _ width: Int, left: Bool) -> String {
        let fill = String(repeating: " ", count: max(0, width - s.count))
        return left ? s + fill : fill + s
    }
}

extension String {
    /// A left-aligned last column must not leave spaces at the end of the line.
    fileprivate var trailingSpacesRemoved: String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
