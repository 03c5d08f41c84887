//! A one-shot webhook receiver on 127.0.0.1: accepts one HTTP POST, answers 200, and
//! hands back its raw body and `Stripe-Signature` header, as an app's endpoint sees them.
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// One delivery as received: the exact body bytes (as text) and the signature header.
pub struct Delivery {
    pub body: String,
    pub signature: String,
}

/// A listener on a free port of 127.0.0.1, waiting for its one delivery.
pub struct Receiver {
    pub url: String,
    delivery: mpsc::Receiver<Result<Delivery, String>>,
}

impl Receiver {
    /// Binds 127.0.0.1:0 and accepts the first connection on a thread of its own.
    pub fn start() -> Result<Self, String> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let url = format!(
            "http://{}/hook",
            listener.local_addr().map_err(|e| e.to_string())?
        );
        let (sender, delivery) = mpsc::channel();
        thread::spawn(move || {
            let received = listener
                .accept()
                .map_err(|e| e.to_string())
                .and_then(|(s, _)| answer(s));
            let _ = sender.send(received);
        });
        Ok(Self { url, delivery })
    }

    /// The delivery, or an error once `timeout` has passed without one.
    pub fn wait(&self, timeout: Duration) -> Result<Delivery, String> {
        self.delivery
            .recv_timeout(timeout)
            .map_err(|_| format!("no delivery to {} within {timeout:?}", self.url))?
    }
}

/// Reads one request (headers, then a Content-Length body) and answers 200.
fn answer(stream: TcpStream) -> Result<Delivery, String> {
    let io = |e: std::io::Error| e.to_string();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(io)?;
    let mut reader = BufReader::new(stream.try_clone().map_err(io)?);
    let (mut length, mut signature) = (None, None);
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).map_err(io)?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            match name.trim().to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse::<usize>().ok(),
                "stripe-signature" => signature = Some(value.trim().to_owned()),
                _ => {}
            }
        }
    }
    let length = length.ok_or("the delivery has no Content-Length")?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body).map_err(io)?;
    let mut stream = stream;
    let reply = "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok";
    stream.write_all(reply.as_bytes()).map_err(io)?;
    Ok(Delivery {
        body: String::from_utf8(body).map_err(|e| e.to_string())?,
        signature: signature.ok_or("the delivery has no Stripe-Signature header")?,
    })
}
