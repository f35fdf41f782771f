//! The Matrix receiver: an `m.room.message` in a room through the client-server API. The
//! transaction id is the message's outbox identity, so a re-send after a crash or a
//! retry is dropped by the homeserver itself.

use std::time::Duration;

use super::message::Message;
use super::{NotifyError, http};
use crate::config::Secret;

pub struct Matrix {
    client: reqwest::Client,
    homeserver: reqwest::Url,
    room: String,
    token: Secret,
}

impl std::fmt::Debug for Matrix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Matrix")
            .field("homeserver", &self.homeserver.as_str())
            .field("room", &self.room)
            .finish_non_exhaustive()
    }
}

impl Matrix {
    pub fn new(homeserver: &str, room: &str, token: &Secret, timeout: Duration) -> Result<Matrix, String> {
        let homeserver = reqwest::Url::parse(homeserver).map_err(|e| format!("matrix homeserver {homeserver}: {e}"))?;
        Ok(Matrix { client: http::client(timeout)?, homeserver, room: room.to_owned(), token: token.clone() })
    }

    /// `PUT /_matrix/client/v3/rooms/{room}/send/m.room.message/{txn}`.
    pub fn url(&self, txn: &str) -> reqwest::Url {
        let mut url = self.homeserver.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(["_matrix", "client", "v3", "rooms", &self.room, "send", "m.room.message", txn]);
        }
        url
    }

    pub async fn send(&self, message: &Message) -> Result<(), NotifyError> {
        let body = serde_json::json!({
            "msgtype": "m.text",
            "body": format!("{}\n\n{}", message.subject, message.text),
            "format": "org.matrix.custom.html",
            "formatted_body": format!(
                "<strong>{}</strong><br><pre>{}</pre>",
                super::render::escape_html(&message.subject),
                super::render::escape_html(&message.text)
            ),
        });
        let request = http::json(self.client.put(self.url(&message.id)).bearer_auth(self.token.expose()), &body);
        http::send(request, "matrix", None).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_and_transaction_are_escaped_path_segments() {
        let m = Matrix::new(
            "https://matrix.example.org",
            "!room:example.org",
            &Secret::new("t".into()),
            Duration::from_secs(1),
        )
        .expect("matrix");
        assert_eq!(
            m.url("alert.x/y.1.0.desk").as_str(),
            "https://matrix.example.org/_matrix/client/v3/rooms/!room:example.org/send/m.room.message/alert.x%2Fy.1.0.desk"
        );
    }
}
