/// The results of `compress check` as JUnit XML, which CI systems (GitHub Actions reporters,
/// GitLab, Jenkins) show as test results.
///
/// One `<testsuite name="compress check">` with one `<testcase>` per file and limit; a broken
/// limit carries a `<failure type="limit">` whose message is the line `compress check` prints.
/// The output has no timestamps, so the same results give the same bytes.
///
/// ```xml
/// <?xml version="1.0" encoding="UTF-8"?>
/// <testsuite name="compress check" tests="2" failures="1" errors="0" skipped="0">
///   <testcase classname="compress check" name="model.bin: size &lt;= 250,000 bytes"/>
///   <testcase classname="compress check" name="model.bin: growth &lt;= +2.00%">
///     <failure type="limit" message="growth +3.10% (1,000 -&gt; 1,031 bytes) &gt; limit +2.00%"/>
///   </testcase>
/// </testsuite>
/// ```
public func junitXML(_ results: [LimitResult]) -> String {
    let failures = results.filter { !$0.passed }.count
    var lines = [
        #"<?xml version="1.0" encoding="UTF-8"?>"#,
        #"<testsuite name="compress check" tests="\#(results.count)" failures="\#(failures)" errors="0" skipped="0">"#,
    ]
    for result in results {
        let opening = #"  <testcase classname="compress check" name="\#(xmlEscaped("\(result.file): \(result.limit)"))""#
        if result.passed {
            lines.append(opening + "/>")
        } else {
            lines.append(opening + ">")
            lines.append(#"    <failure type="limit" message="\#(xmlEscaped(result.detail))"/>"#)
            lines.append("  </testcase>")
        }
    }
    lines.append("</testsuite>")
    return lines.joined(separator: "\n") + "\n"
}
