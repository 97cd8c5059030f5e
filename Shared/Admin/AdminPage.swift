public import FunctionKit
import HTTPTypes

/// What the admin pages (the logs viewer, the deliveries viewer) share: one look, and headers
/// that let a page run only its own inline script and talk only to this origin. The pages hold
/// no data; they ask for an admin key and read the JSON API with it.
public enum AdminPage {
    public static func response(_ html: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.contentSecurityPolicy] = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'"
        return Response(headers: headers, body: Array(html.utf8))
    }

    /// A whole page: the shared head (title, viewport, style) around `body`.
    public static func document(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title) · Leadwire</title>
        <style>\(style)</style>
        </head>
        <body>
        \(body)
        </body>
        </html>
        """
    }

    static let style = """
        :root { font-family: system-ui, sans-serif; color: #1f2933; background: #f5f7fa; }
        body { margin: 0 auto; max-width: 1200px; padding: 16px; }
        h1 { font-size: 20px; margin: 0 0 12px; }
        form { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; background: #fff; padding: 12px; border-radius: 8px; border: 1px solid #d9e2ec; }
        label { display: flex; flex-direction: column; font-size: 12px; color: #52606d; gap: 2px; }
        input, select, button { font: inherit; font-size: 14px; padding: 4px 6px; border: 1px solid #bcccdc; border-radius: 4px; }
        button { background: #2f80ed; color: #fff; border-color: #2f80ed; cursor: pointer; }
        button.secondary { background: #fff; color: #2f80ed; }
        #message { margin: 12px 0; color: #52606d; }
        #message.error { color: #c62828; }
        table { width: 100%; border-collapse: collapse; background: #fff; border-radius: 8px; overflow: hidden; border: 1px solid #d9e2ec; }
        th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #e4e7eb; font-size: 13px; vertical-align: top; }
        th { background: #f0f4f8; font-weight: 600; }
        .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; }
        .status-success { background: #e3f9e5; color: #1b5e20; }
        .status-error { background: #ffe3e3; color: #b71c1c; }
        .status-partial { background: #fff3c4; color: #8d6e00; }
        .route-referral { background: #eae2f8; color: #4a148c; }
        .route-traffic { background: #dceefb; color: #0d47a1; }
        .route-both { background: #d3f3f1; color: #004d40; }
        .route-unknown { background: #e4e7eb; color: #3e4c59; }
        details pre { max-height: 320px; overflow: auto; background: #f0f4f8; padding: 8px; border-radius: 4px; font-size: 12px; }
        .muted { color: #7b8794; }
        .status-failed { background: #ffe3e3; color: #b71c1c; }
        .status-pending { background: #fff3c4; color: #8d6e00; }
        .state-disabled { background: #e4e7eb; color: #3e4c59; }
        """
}

extension HTTPField.Name {
    static let contentSecurityPolicy = HTTPField.Name("Content-Security-Policy")!
}
