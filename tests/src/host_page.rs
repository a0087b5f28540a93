//! A marketer's page on another origin: a loopback port of its own that
//! answers every request with one HTML page (the script tag pasted into
//! it), so the loader runs where the edge is a third party.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

pub struct HostPage {
    /// `http://127.0.0.1:<port>`, an origin other than the edge's.
    pub origin: String,
}

impl HostPage {
    /// Serves `html` until the test ends.
    pub fn serve(html: String) -> HostPage {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let origin = format!("http://{}", listener.local_addr().expect("address"));
        let html = std::sync::Arc::new(html);
        std::thread::spawn(move || {
            // A thread per connection, each with a read time-out: browsers
            // open sockets ahead of time that may never carry a request.
            for stream in listener.incoming().flatten() {
                let html = html.clone();
                std::thread::spawn(move || answer(stream, &html));
            }
        });
        HostPage { origin }
    }

    /// A shop page with the tag for `site` of the edge at `edge_base`, the
    /// snippet's queue stub and the page's own `calls` (JavaScript) before it.
    pub fn shop(edge_base: &str, site: &str, calls: &str) -> HostPage {
        HostPage::serve(format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <title>Another shop</title></head><body><h1>Another shop</h1>\
             <p>Bikes, parts and repairs.</p>\
             <script>window.Chat=window.Chat||function(){{(Chat.q=Chat.q||[]).push(arguments)}};\
             Chat('on','open',function(){{window.opened=(window.opened||0)+1}});{calls}</script>\
             <script src=\"{edge_base}/loader.js\" data-site=\"{site}\" async></script>\
             </body></html>"
        ))
    }
}

fn answer(mut stream: std::net::TcpStream, html: &str) {
    let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(10)));
    // The request line and headers; the page is the same for all.
    let mut reader = BufReader::new(&stream);
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(n) if n > 2 => continue,
            Ok(n) if n > 0 => break,
            _ => return,
        }
    }
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\n\
         content-length: {}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n{html}",
        html.len()
    );
}
