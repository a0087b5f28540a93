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
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                // The request line and headers; the page is the same for all.
                let mut reader = BufReader::new(&stream);
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\n\
                     content-length: {}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n{html}",
                    html.len()
                );
            }
        });
        HostPage { origin }
    }

    /// A shop page with the tag for `site` of the edge at `edge_base`, the
    /// snippet's queue stub before it.
    pub fn shop(edge_base: &str, site: &str) -> HostPage {
        HostPage::serve(format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <title>Another shop</title></head><body><h1>Another shop</h1>\
             <p>Bikes, parts and repairs.</p>\
             <script>window.Chat=window.Chat||function(){{(Chat.q=Chat.q||[]).push(arguments)}};\
             Chat('on','open',function(){{window.opened=(window.opened||0)+1}});</script>\
             <script src=\"{edge_base}/loader.js\" data-site=\"{site}\" async></script>\
             </body></html>"
        ))
    }
}
