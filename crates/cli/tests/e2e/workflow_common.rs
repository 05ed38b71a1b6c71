//! A small zone for the daily-work tests: the common fixture plus two enterprises, and the people who answer
//! for the chain and the park, each with a post held since before the dates the tests use.

use serde_json::json;

use crate::common::{Fixture, TestApp, credit_code, fixture};

pub struct Zone {
    pub f: Fixture,
    /// In the fixture's chain (its child segment) and park.
    pub firm: i64,
    /// In the other chain, no park.
    pub other_firm: i64,
    /// Holds the enterprise-contact post of `firm`.
    pub firm_person: i64,
    pub task_force: i64,
    pub chain_chief: i64,
    pub park_chief: i64,
    pub park_staff: i64,
    pub other_task_force: i64,
}

pub async fn person(app: &TestApp, name: &str, email: &str) -> i64 {
    app.create("/api/v1/people", json!({"name": name, "email": email}))
        .await["id"]
        .as_i64()
        .expect("id")
}

pub async fn post(app: &TestApp, body: serde_json::Value) {
    app.create("/api/v1/posts", body).await;
}

pub async fn zone(app: &TestApp) -> Zone {
    let f = fixture(app).await;
    let firm = app
        .create("/api/v1/enterprises", json!({"credit_code": credit_code("91500112MA5U7G1X3"), "name": "重庆长程电池有限公司",
            "industry_code": "3841", "district": "500112", "park_id": f.park, "segment_ids": [f.child_segment]}))
        .await["id"].as_i64().expect("id");
    let other_firm = app
        .create(
            "/api/v1/enterprises",
            json!({"credit_code": credit_code("91500112MA5U7G2X3"), "name": "重庆芯研科技有限公司",
            "industry_code": "3973", "district": "500112", "segment_ids": [f.other_segment]}),
        )
        .await["id"]
        .as_i64()
        .expect("id");
    let firm_person = person(app, "周敏", "zhou.min@firm.example.com").await;
    let task_force = person(app, "李强", "li.qiang@liangjiang.example.com").await;
    let chain_chief = person(app, "王建国", "wang.jianguo@liangjiang.example.com").await;
    let park_chief = person(app, "陈园", "chen.yuan@liangjiang.example.com").await;
    let park_staff = person(app, "赵工", "").await;
    let other_task_force = person(app, "孙芯", "").await;
    let since = "2021-01-01";
    post(app, json!({"person_id": firm_person, "role": "enterprise_contact", "enterprise_id": firm, "starts_on": since})).await;
    post(app, json!({"person_id": task_force, "role": "chain_task_force", "chain_id": f.chain, "starts_on": since})).await;
    post(app, json!({"person_id": chain_chief, "role": "chain_chief", "chain_id": f.chain, "chief_level": "chain", "starts_on": since})).await;
    post(app, json!({"person_id": park_chief, "role": "park_chief", "park_id": f.park, "starts_on": since})).await;
    post(app, json!({"person_id": park_staff, "role": "park_staff", "park_id": f.park, "starts_on": since})).await;
    post(app, json!({"person_id": other_task_force, "role": "chain_task_force", "chain_id": f.other_chain, "starts_on": since})).await;
    Zone {
        f,
        firm,
        other_firm,
        firm_person,
        task_force,
        chain_chief,
        park_chief,
        park_staff,
        other_task_force,
    }
}

/// A tiny SMTP server on loopback that keeps what it receives; while `refuse` is set it answers every MAIL
/// command with a temporary failure, as a busy or broken relay would.
pub struct SmtpListener {
    pub url: String,
    pub received: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    pub refuse: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl SmtpListener {
    pub async fn start() -> SmtpListener {
        use std::sync::atomic::Ordering;
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let url = format!("smtp://{}", listener.local_addr().expect("address"));
        let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let refuse = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (keep, refusing) = (received.clone(), refuse.clone());
        tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let (keep, refusing) = (keep.clone(), refusing.clone());
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 loopback ESMTP test\r\n").await;
                    let mut data: Option<String> = None;
                    while let Ok(Some(line)) = lines.next_line().await {
                        if let Some(body) = data.as_mut() {
                            if line == "." {
                                keep.lock().expect("lock").push(std::mem::take(body));
                                data = None;
                                let _ = write.write_all(b"250 2.0.0 queued\r\n").await;
                            } else {
                                body.push_str(&line);
                                body.push('\n');
                            }
                            continue;
                        }
                        let verb = line
                            .split_whitespace()
                            .next()
                            .unwrap_or("")
                            .to_ascii_uppercase();
                        let answer: &[u8] = match verb.as_str() {
                            "EHLO" | "HELO" => b"250-loopback\r\n250 8BITMIME\r\n",
                            "MAIL" if refusing.load(Ordering::SeqCst) => {
                                b"451 4.3.0 try again later\r\n"
                            }
                            "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 2.0.0 ok\r\n",
                            "DATA" => {
                                data = Some(String::new());
                                b"354 go ahead\r\n"
                            }
                            "QUIT" => {
                                let _ = write.write_all(b"221 bye\r\n").await;
                                return;
                            }
                            _ => b"502 5.5.1 not implemented\r\n",
                        };
                        let _ = write.write_all(answer).await;
                    }
                });
            }
        });
        SmtpListener {
            url,
            received,
            refuse,
        }
    }

    pub fn messages(&self) -> Vec<String> {
        self.received.lock().expect("lock").clone()
    }
}
