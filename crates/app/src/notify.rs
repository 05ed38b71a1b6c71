//! Sending the mail outbox through SMTP, and the background work of a running server: deliver due mail, escalate
//! overdue cases and remind the admins of a missing holiday calendar. A notification is written in the same
//! transaction as the change that caused it; this loop only moves it out. A send that fails stays in the outbox
//! and is tried again later (1, 5, 15, 60 minutes, then every 6 hours), so the case and its message are never
//! lost. Mail is a matter of the transport and keeps the system clock; the rules run on the application's clock.

use std::sync::Arc;
use std::time::Duration;

use chainpark_core::disclosure::DisclosureRules;
use chainpark_core::parkops::report_mail::MailAttachment;
use chainpark_core::time::Clock;
use chainpark_store::Actor;
use chainpark_store::prelude::*;
use chrono::{DateTime, Utc};
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// Where mail goes out: `smtp://host:port` (plain, for a relay on the same network or a test), with
/// `?tls=required` for STARTTLS, or `smtps://host:port`; `user:password@` in the URL for authentication.
#[derive(Debug, Clone)]
pub struct MailSettings {
    pub smtp_url: String,
    pub from: String,
}

/// A configured SMTP sender.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// What one delivery round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivery {
    pub sent: usize,
    pub failed: usize,
}

impl Mailer {
    pub fn new(settings: &MailSettings) -> Result<Mailer, String> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| format!("mail from address {:?}: {e}", settings.from))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.smtp_url)
            .map_err(|e| format!("SMTP URL: {e}"))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        Ok(Mailer { transport, from })
    }

    async fn send(
        &self,
        to: &str,
        subject: &str,
        body: &str,
        attachments: Vec<MailAttachment>,
    ) -> Result<(), String> {
        let to: Mailbox = to.parse().map_err(|e| format!("address {to:?}: {e}"))?;
        let builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject);
        let message = if attachments.is_empty() {
            builder
                .header(ContentType::TEXT_PLAIN)
                .body(body.to_string())
        } else {
            // The text, then each file (the scheduled park report's workbook).
            let mut parts = MultiPart::mixed().singlepart(SinglePart::plain(body.to_string()));
            for file in attachments {
                let kind = ContentType::parse(&file.content_type)
                    .map_err(|e| format!("attachment {}: {e}", file.filename))?;
                parts = parts.singlepart(Attachment::new(file.filename).body(file.data, kind));
            }
            builder.multipart(parts)
        }
        .map_err(|e| e.to_string())?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// When to try a mail again after `attempts` failures.
pub fn retry_at(now: DateTime<Utc>, attempts: i32) -> DateTime<Utc> {
    let minutes = match attempts {
        0 | 1 => 1,
        2 => 5,
        3 => 15,
        4 => 60,
        _ => 360,
    };
    now + chrono::Duration::minutes(minutes)
}

/// Sends every mail due at `now`; each is marked sent, or kept with its error and a later retry time.
pub async fn deliver_due(
    store: &Arc<dyn Store>,
    mailer: &Mailer,
    now: DateTime<Utc>,
) -> chainpark_store::Result<Delivery> {
    let mut delivery = Delivery::default();
    for mail in store.due_mail(now, 100).await? {
        let attachments = store.mail_attachments(mail.id).await?;
        match mailer
            .send(&mail.to_address, &mail.subject, &mail.body, attachments)
            .await
        {
            Ok(()) => {
                store.mail_sent(mail.id, Utc::now()).await?;
                delivery.sent += 1;
            }
            Err(error) => {
                tracing::warn!(mail = mail.id, attempts = mail.attempts + 1, %error, "mail not sent; will retry");
                store
                    .mail_failed(mail.id, &error, retry_at(now, mail.attempts + 1))
                    .await?;
                delivery.failed += 1;
            }
        }
    }
    Ok(delivery)
}

/// The rules a running server applies by itself at `now`: escalate every overdue appeal and work order, tell each
/// chief of the alerts they answer for (once per alert), and tell the admins (once a year) that a holiday calendar
/// they must load is missing.
pub async fn apply_rules(store: &Arc<dyn Store>, now: DateTime<Utc>) {
    let actor = Actor::system("escalation");
    match store.escalate_overdue(&actor, now).await {
        Ok(run) if !run.appeals.is_empty() || !run.work_orders.is_empty() => {
            tracing::info!(
                appeals = run.appeals.len(),
                work_orders = run.work_orders.len(),
                "escalated overdue cases"
            )
        }
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "escalation round failed"),
    }
    match store.deliver_alerts(&Actor::system("alerts"), now).await {
        Ok(run) if run.delivered > 0 => tracing::info!(
            alerts = run.alerts,
            delivered = run.delivered,
            without_chief = run.without_chief,
            "told the chiefs of new alerts"
        ),
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "alert delivery failed"),
    }
    match store
        .remind_missing_calendar(&Actor::system("calendar"), now)
        .await
    {
        Ok(Some(reminder)) if !reminder.notified_accounts.is_empty() => tracing::warn!(
            year = reminder.year,
            "the holiday calendar of {} is not loaded: deadlines running into it are provisional; the admins were told",
            reminder.year
        ),
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "calendar reminder failed"),
    }
}

/// Runs the background work of a server until the process ends: every `interval` (30 s in production) deliver due
/// mail (when a mailer is configured), every ten intervals apply the rules at the clock's `now`.
pub fn spawn_background(
    store: Arc<dyn Store>,
    mailer: Option<Mailer>,
    interval: Duration,
    clock: Clock,
    rules: DisclosureRules,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick: u64 = 0;
        let mut rounds = tokio::time::interval(interval);
        loop {
            rounds.tick().await;
            if let Some(mailer) = &mailer
                && let Err(e) = deliver_due(&store, mailer, Utc::now()).await
            {
                tracing::error!(error = %e, "mail delivery round failed");
            }
            if tick.is_multiple_of(10) {
                apply_rules(&store, clock.now()).await;
                // The scheduled park reports, before the next round sends their mail.
                match crate::reports::mail_scheduled_reports(store.as_ref(), &rules, clock.now())
                    .await
                {
                    Ok(0) => {}
                    Ok(mailed) => tracing::info!(mailed, "mailed the scheduled park reports"),
                    Err(e) => {
                        tracing::error!(error = %e, "mailing the scheduled park reports failed")
                    }
                }
            }
            tick += 1;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_and_never_stop() {
        let now = DateTime::from_timestamp(1_781_000_000, 0).expect("an instant");
        assert_eq!(retry_at(now, 1) - now, chrono::Duration::minutes(1));
        assert_eq!(retry_at(now, 3) - now, chrono::Duration::minutes(15));
        assert_eq!(retry_at(now, 40) - now, chrono::Duration::hours(6));
    }

    #[test]
    fn mailer_refuses_a_bad_from_address() {
        let settings = MailSettings {
            smtp_url: "smtp://127.0.0.1:2525".into(),
            from: "not an address".into(),
        };
        assert!(Mailer::new(&settings).is_err());
    }
}
