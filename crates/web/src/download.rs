//! A file as an HTTP download, for the API and the pages alike.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// `bytes` to be saved as `file_name`.
pub fn attachment(bytes: Vec<u8>, content_type: &'static str, file_name: &str) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}
