//! Uploads as a browser makes them: a `multipart/form-data` body.

use crate::Answer;

/// One field of a form: text, or a file with its name and claimed type.
pub struct Part<'a> {
    pub name: &'a str,
    pub file: Option<(&'a str, &'a str)>,
    pub data: &'a [u8],
}

impl<'a> Part<'a> {
    pub fn text(name: &'a str, value: &'a str) -> Self {
        Part {
            name,
            file: None,
            data: value.as_bytes(),
        }
    }

    /// A file named `file_name`, claimed to be `content_type`.
    pub fn file(name: &'a str, file_name: &'a str, content_type: &'a str, data: &'a [u8]) -> Self {
        Part {
            name,
            file: Some((file_name, content_type)),
            data,
        }
    }
}

const BOUNDARY: &str = "----chat-test-boundary-7f3a9c";

/// The body and its content type.
pub fn multipart(parts: &[Part]) -> (String, Vec<u8>) {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match part.file {
            Some((file_name, content_type)) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{}\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n",
                    part.name
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{}\"\r\n\r\n", part.name).as_bytes(),
            ),
        }
        body.extend_from_slice(part.data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

/// POSTs a form to `url` with `headers`, whatever the answer.
pub fn post_form(url: &str, parts: &[Part], headers: &[(&str, &str)]) -> Answer {
    let (content_type, body) = multipart(parts);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut req = agent.post(url).header("content-type", &content_type);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    match req.send(&body[..]) {
        Ok(res) => Answer::of(res),
        Err(e) => panic!("POST {url} failed: {e}"),
    }
}

/// GETs `url` and returns status, content type and the body's bytes.
pub fn get_bytes(url: &str) -> (u16, String, Vec<u8>, Vec<(String, String)>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut res = agent
        .get(url)
        .call()
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let headers = crate::header_pairs(&res);
    let content_type = crate::header_in(&headers, "content-type").unwrap_or_default();
    let bytes = res
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_vec()
        .unwrap_or_default();
    (res.status().as_u16(), content_type, bytes, headers)
}
