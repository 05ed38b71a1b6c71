//! The web pages: server-rendered HTML (askama templates checked at compile time) with SVG charts drawn here,
//! a stylesheet and a little plain JavaScript served from the binary. Pages read through the same store methods
//! as the API, with the signed-in account's actor, so every scope applies; a visitor who is not signed in is sent
//! to the sign-in page (the API keeps answering 401).

mod accounts;
mod alerts;
mod assessment;
mod assets;
mod chain_distribution;
mod chain_health;
mod chain_map;
mod chains;
mod charts;
mod dashboard;
mod enterprises;
mod export;
mod form;
mod format;
pub mod i18n;
mod imports;
mod land;
mod map;
mod parks;
mod picker;
mod policies;
mod report;
mod roadmap;
mod safety;
mod sign_in;
mod sort;
mod stats;
mod work;
mod work_admin;

use askama::Template;
use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chainpark_core::access::Landing;
use chainpark_core::figures::may_import_figures;
use chainpark_store::Actor;

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use i18n::Lang;

/// Every page, the sign-in page and the static files.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/sign-in", get(sign_in::form).post(sign_in::submit))
        .route("/sign-out", post(sign_in::sign_out))
        .route("/dashboard", get(dashboard::page))
        .route("/chains", get(chains::list))
        .route("/chains/export.csv", get(chains::export_csv))
        .route("/chains/export.xlsx", get(chains::export_xlsx))
        .route("/chains/{id}", get(chains::page))
        .route("/chains/{id}/health", get(chain_health::page))
        .route("/chains/{id}/roadmap", get(roadmap::page))
        .route("/chains/{id}/distribution", get(chain_distribution::page))
        .route("/chains/{id}/roadmap/leads", post(roadmap::make_lead))
        .route("/chains/{id}/roadmap/marks", post(roadmap::mark))
        .route(
            "/chains/{id}/policies",
            get(policies::page).post(policies::create),
        )
        .route("/policies/{id}", post(policies::update))
        .route("/policies/{id}/edit", get(policies::edit))
        .route("/policies/{id}/archive", post(policies::archive))
        .route("/chains/{id}/print", get(roadmap::print))
        .route("/chains/{id}/roadmap/weights", post(roadmap::weights))
        .route("/chains/{id}/workbook.xlsx", get(roadmap::workbook))
        .route("/parks", get(parks::list))
        .route("/parks/export.csv", get(parks::export_csv))
        .route("/parks/export.xlsx", get(parks::export_xlsx))
        .route("/parks/{id}", get(parks::page))
        .route("/safety", get(safety::list))
        .route(
            "/safety/plans/new",
            get(safety::new_plan).post(safety::create_plan),
        )
        .route("/safety/plans/{id}", get(safety::plan))
        .route(
            "/safety/plans/{id}/inspections",
            post(safety::record_inspection),
        )
        .route("/hazards/{id}", get(safety::hazard))
        .route("/hazards/{id}/work-order", post(safety::open_work_order))
        .route("/hazards/{id}/rechecks", post(safety::recheck))
        .route("/enterprises", get(enterprises::search))
        .route("/enterprises/export.csv", get(enterprises::export_csv))
        .route("/enterprises/export.xlsx", get(enterprises::export_xlsx))
        .route("/enterprises/{id}", get(enterprises::page))
        .route("/enterprises/{id}/contact", post(enterprises::save_contact))
        .route("/import", get(imports::page))
        .route("/imports", get(imports::history))
        .route("/imports/{id}", get(imports::report))
        .route("/accounts", get(accounts::page).post(accounts::create))
        .route("/accounts/{id}/disabled", post(accounts::set_disabled))
        .route("/accounts/{id}/password", post(accounts::reset_password))
        .route("/inbox", get(work::inbox))
        .route("/inbox/read", post(work::inbox_read))
        .route("/appeals", get(work::appeals).post(work::file_appeal))
        .route("/appeals/{id}", get(work::appeal))
        .route("/appeals/{id}/steps", post(work::step_appeal))
        .route("/projects", get(work::projects))
        .route(
            "/projects/new",
            get(work_admin::new_project).post(work_admin::create_project),
        )
        .route("/projects/{id}", get(work_admin::project))
        .route("/projects/{id}/stage", post(work_admin::move_stage))
        .route(
            "/projects/{id}/investments",
            post(work_admin::record_investment),
        )
        .route("/projects/{id}/milestones", post(work_admin::add_milestone))
        .route(
            "/projects/{id}/milestones/{milestone}/done",
            post(work_admin::milestone_done),
        )
        .route(
            "/appeal-rules",
            get(work_admin::rules).post(work_admin::add_rule),
        )
        .route("/appeal-rules/{id}/archive", post(work_admin::archive_rule))
        .route("/transformation", get(work_admin::transformation))
        .route(
            "/transformation/projects",
            post(work_admin::add_transformation_project),
        )
        .route(
            "/transformation/recognitions",
            post(work_admin::add_recognition),
        )
        .route(
            "/work-orders",
            get(work::work_orders).post(work::create_work_order),
        )
        .route("/work-orders/{id}", get(work::work_order))
        .route("/work-orders/{id}/steps", post(work::step_work_order))
        .route("/reports/scheduling", get(report::page))
        .route("/assessment", get(assessment::class_list))
        .route(
            "/assessment/runs/{id}/firms/{enterprise_id}",
            get(assessment::firm),
        )
        .route("/assessment/schemes/{id}", get(assessment::scheme))
        .route("/assessment/land", get(land::page).post(land::import))
        .route("/scorecards", get(assessment::scorecards_page))
        .route("/static/{file}", get(assets::file))
        .layer(middleware::from_fn(html_refusals))
        .layer(middleware::from_fn(remember_language))
}

/// `?lang=` on any page switches the language and keeps the choice in a cookie for a year.
async fn remember_language(request: Request, next: Next) -> Response {
    let chosen = request.uri().query().and_then(i18n::lang_in_query);
    let mut response = next.run(request).await;
    if let Some(lang) = chosen {
        let cookie = format!(
            "{}={}; Path=/; Max-Age=31536000; SameSite=Lax",
            i18n::LANG_COOKIE,
            lang.code()
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// The signed-in person looking at a page, in their language. Without a session the request is redirected to
/// the sign-in page, which brings them back afterwards.
pub struct Viewer {
    pub caller: Caller,
    pub lang: Lang,
    pub uri: Uri,
    /// Unread messages in the inbox, for the badge in the navigation.
    pub unread: i64,
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let lang = Lang::negotiate(parts.uri.query(), &parts.headers);
        let uri = parts.uri.clone();
        match Caller::from_request_parts(parts, state).await {
            Ok(caller) => {
                let unread = match optional(state.store.inbox_counts(&caller.actor).await) {
                    Ok(counts) => counts.map_or(0, |c| c.unread),
                    Err(e) => {
                        return Err(PageError {
                            lang,
                            error: e.into(),
                            chrome: None,
                        }
                        .into_response());
                    }
                };
                Ok(Viewer {
                    caller,
                    lang,
                    uri,
                    unread,
                })
            }
            Err(ApiError::Unauthorized(_)) => {
                let next = uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/")
                    .to_string();
                let target: String = form_urlencoded::Serializer::new(String::new())
                    .append_pair("next", &next)
                    .finish();
                Err(Redirect::to(&format!("/sign-in?{target}")).into_response())
            }
            Err(e) => Err(PageError {
                lang,
                error: e,
                chrome: None,
            }
            .into_response()),
        }
    }
}

impl Viewer {
    /// The viewer of a form post: signed in with the session cookie, and the form's hidden `csrf` field is the
    /// session's CSRF token (a form cannot send the API's header). Otherwise the post changes nothing.
    pub async fn for_form(
        state: &AppState,
        headers: &axum::http::HeaderMap,
        uri: Uri,
        form_csrf: &str,
    ) -> Result<Viewer, Response> {
        let lang = Lang::negotiate(uri.query(), headers);
        let fail = |error: ApiError| {
            PageError {
                lang,
                error,
                chrome: None,
            }
            .into_response()
        };
        let Some(session) = crate::auth::cookie(headers, crate::auth::SESSION_COOKIE) else {
            return Err(Redirect::to("/sign-in").into_response());
        };
        let hash = chainpark_app::passwords::secret_hash(&session);
        let Some(caller) = crate::auth::session_caller(state, &hash)
            .await
            .map_err(fail)?
        else {
            return Err(Redirect::to("/sign-in").into_response());
        };
        if form_csrf.is_empty() || !same_secret(form_csrf.as_bytes(), caller.csrf_token.as_bytes())
        {
            return Err(fail(ApiError::Forbidden(
                "the form does not carry this session's token; reload the page".into(),
            )));
        }
        Ok(Viewer {
            caller,
            lang,
            uri,
            unread: 0,
        })
    }

    pub fn actor(&self) -> &Actor {
        &self.caller.actor
    }

    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }

    /// Refuses a zone-wide page (the dashboard, chain and park pages, registry exports) to an account that may
    /// not see the zone: 403, as the API answers.
    pub fn require_zone_views(&self) -> Result<(), PageError> {
        self.actor()
            .scope
            .may_see_zone_views()
            .map_err(|e| self.fail(chainpark_store::StoreError::from(e)))
    }

    /// What every page around its content needs: title, navigation, account, language switch.
    pub fn chrome(&self, title: impl Into<String>, nav: &'static str) -> Chrome {
        let role = self.caller.account.role;
        let scope = &self.actor().scope;
        let name = if self.caller.account.display_name.is_empty() {
            self.caller.account.username.clone()
        } else {
            self.caller.account.display_name.clone()
        };
        Chrome {
            lang: self.lang,
            title: title.into(),
            nav,
            user: Some({
                let role_label = self.t(&format!("role.{}", role.as_str()));
                if name.contains(role_label) {
                    name
                } else {
                    format!("{name} · {role_label}")
                }
            }),
            csrf: self.caller.csrf_token.clone(),
            lang_href: switch_language_href(&self.uri, self.lang.other()),
            may_import: may_import_figures(scope).is_ok(),
            may_see_zone: scope.may_see_zone_views().is_ok(),
            is_admin: scope.is_admin(),
            unread: self.unread,
            may_see_projects: scope.may_see_zone_views().is_ok(),
            may_see_work_orders: scope.works_with_work_orders(),
        }
    }

    /// The error page of `error`, with this viewer's navigation so that the day's work carries on from it.
    pub fn fail(&self, error: impl Into<ApiError>) -> PageError {
        PageError {
            lang: self.lang,
            error: error.into(),
            chrome: Some(Box::new(self.chrome(self.t("error.title"), ""))),
        }
    }
}

/// A form post from a signed-in viewer whose hidden `csrf` field is the session's CSRF token (see
/// [`Viewer::for_form`]), with the rest of the form read into `T`; otherwise the post changes nothing and the
/// answer is the sign-in page or the error page. A handler takes `FormPost { viewer, form }: FormPost<MyForm>` as its
/// last argument; `MyForm` needs no `csrf` field.
pub struct FormPost<T> {
    pub viewer: Viewer,
    pub form: T,
}

impl<T> FromRequest<AppState> for FormPost<T>
where
    T: serde::de::DeserializeOwned + Send,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let headers = request.headers().clone();
        let uri = request.uri().clone();
        let axum::extract::RawForm(body) = axum::extract::RawForm::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        // The form itself first, as `axum::Form` reads it (a malformed form is refused before anything else).
        let form: T = serde_urlencoded::from_bytes(&body).map_err(|e| {
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("Failed to deserialize form body: {e}"),
            )
                .into_response()
        })?;
        let csrf = form_urlencoded::parse(&body)
            .find(|(name, _)| name == "csrf")
            .map(|(_, value)| value.into_owned())
            .unwrap_or_default();
        let viewer = Viewer::for_form(state, &headers, uri, &csrf).await?;
        Ok(FormPost { viewer, form })
    }
}

/// The frame of every page.
pub struct Chrome {
    pub lang: Lang,
    pub title: String,
    /// Which navigation entry is current.
    pub nav: &'static str,
    pub user: Option<String>,
    pub csrf: String,
    pub lang_href: String,
    pub may_import: bool,
    /// Shows the zone-wide pages (dashboard, chains, parks) and the registry exports.
    pub may_see_zone: bool,
    /// Shows the accounts page in the navigation.
    pub is_admin: bool,
    /// Unread inbox messages (the badge).
    pub unread: i64,
    /// Shows the key projects page in the navigation (everyone but enterprise users).
    pub may_see_projects: bool,
    /// Shows the park work orders page (park roles and those who see the whole zone).
    pub may_see_work_orders: bool,
}

impl Chrome {
    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }

    /// `aria-current` for the navigation entry of this page.
    pub fn current(&self, nav: &str) -> &'static str {
        if self.nav == nav { "page" } else { "false" }
    }

    /// ` lang="zh-CN"` for data people typed in Chinese (a person's name, a firm or project without an English
    /// name) shown on an English page, so that readers and checks know it is Chinese on purpose; nothing else.
    pub fn data_lang<T: AsRef<str> + ?Sized>(&self, text: &T) -> &'static str {
        if self.lang == i18n::Lang::En && i18n::has_chinese(text.as_ref()) {
            " lang=\"zh-CN\""
        } else {
            ""
        }
    }
}

/// Compares two secrets in time that does not depend on where they differ.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The same page with `lang` set to another language.
fn switch_language_href(uri: &Uri, lang: Lang) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    if let Some(q) = uri.query() {
        for (k, v) in form_urlencoded::parse(q.as_bytes()) {
            if k != "lang" {
                query.append_pair(&k, &v);
            }
        }
    }
    query.append_pair("lang", lang.code());
    format!("{}?{}", uri.path(), query.finish())
}

/// A failure shown as an HTML page in the viewer's language, with the viewer's navigation when the viewer is
/// known.
pub struct PageError {
    pub lang: Lang,
    pub error: ApiError,
    pub chrome: Option<Box<Chrome>>,
}

impl std::fmt::Debug for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageError")
            .field("lang", &self.lang)
            .field("error", &self.error)
            .finish()
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    status: u16,
    message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let detail = self.error.to_string();
        let fields = self.error.field_errors().unwrap_or_default();
        let api = self.error.into_response();
        let status = api.status();
        let lang = self.lang;
        let message = match status {
            StatusCode::NOT_FOUND => lang.t("error.not_found").to_string(),
            // The policy's reason is English for the API; a Chinese page says it in Chinese only.
            StatusCode::FORBIDDEN if lang == Lang::Zh => lang.t("error.forbidden").to_string(),
            StatusCode::FORBIDDEN => format!("{} ({detail})", lang.t("error.forbidden")),
            // The server's own failure (the database, broken data): what the API says, in the page's language;
            // the details go to the log, never to the page.
            StatusCode::INTERNAL_SERVER_ERROR => lang.t("error.internal").to_string(),
            StatusCode::SERVICE_UNAVAILABLE => lang.t("error.busy").to_string(),
            // What was wrong with the input, in the page's language.
            _ if !fields.is_empty() => fields
                .iter()
                .map(|f| form::message_in(lang, &f.field, &f.message))
                .collect::<Vec<_>>()
                .join(lang.t("form.separator")),
            _ if lang == Lang::Zh => lang.t("form.check").to_string(),
            _ => detail,
        };
        let chrome = match self.chrome {
            Some(chrome) => *chrome,
            None => Chrome {
                lang,
                title: lang.t("error.title").to_string(),
                nav: "",
                user: None,
                csrf: String::new(),
                lang_href: format!("/?lang={}", lang.other().code()),
                may_import: false,
                may_see_zone: false,
                is_admin: false,
                unread: 0,
                may_see_projects: false,
                may_see_work_orders: false,
            },
        };
        let mut response = render(ErrorPage {
            chrome,
            status: status.as_u16(),
            message,
        });
        *response.status_mut() = status;
        response
    }
}

pub type PageResult = Result<Response, PageError>;

/// Whether a store error only says that something is not there for this viewer (it does not exist, the viewer may
/// not see it, the query names nothing the store keeps): a page leaves that part out. Any other error (the
/// database, broken data) is the page's error, shown as the error page, never as an empty part.
pub fn is_absent(e: &chainpark_store::StoreError) -> bool {
    use chainpark_store::StoreError;
    matches!(
        e,
        StoreError::NotFound { .. } | StoreError::Denied(_) | StoreError::Invalid(_)
    )
}

/// A part of a page the viewer may be without: `None` when [`is_absent`], the store's error otherwise.
pub fn optional<T>(
    result: Result<T, chainpark_store::StoreError>,
) -> Result<Option<T>, chainpark_store::StoreError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(e) if is_absent(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Renders a template as an HTML answer; a template error (a bug) is logged and answered 500.
/// Rows on one page of the daily-work lists (appeals, work orders).
pub const LIST_PAGE: i64 = 50;

/// The previous/next links of a list page (`pager.html`): the page's path with its filter, and the offset.
pub struct Pager {
    /// 1-based positions of the first and last row shown.
    pub first: i64,
    pub last: i64,
    pub total: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// `path` is the list's path, `filter_query` its filter as a query string (may be empty).
    pub fn new(path: &str, filter_query: &str, offset: i64, shown: usize, total: i64) -> Pager {
        let href = |offset: i64| {
            if filter_query.is_empty() {
                format!("{path}?offset={offset}")
            } else {
                format!("{path}?{filter_query}&offset={offset}")
            }
        };
        Pager {
            first: offset + 1,
            last: offset + shown as i64,
            total,
            prev: (offset > 0).then(|| href((offset - LIST_PAGE).max(0))),
            next: (offset + LIST_PAGE < total).then(|| href(offset + LIST_PAGE)),
        }
    }
}

pub fn render<T: Template>(page: T) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a page failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page failed to render",
            )
                .into_response()
        }
    }
}

/// An address nothing answers: for the API (and any client that does not ask for HTML) the problem document;
/// for a browser the 404 page, with the navigation when someone is signed in.
pub async fn not_found(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: Request,
) -> Response {
    let (mut parts, _) = request.into_parts();
    let wants_html = parts
        .headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let error = ApiError::NotFound(format!("no such page or endpoint: {}", parts.uri.path()));
    if parts.uri.path().starts_with("/api/") || !wants_html {
        return error.into_response();
    }
    match Viewer::from_request_parts(&mut parts, &state).await {
        Ok(viewer) => viewer.fail(error).into_response(),
        Err(_) => PageError {
            lang: Lang::negotiate(parts.uri.query(), &parts.headers),
            error,
            chrome: None,
        }
        .into_response(),
    }
}

/// Turns the framework's own plain-text refusals of a page (an id in the address that is not a number, a form
/// that does not parse) into the HTML error page: a page never answers a browser with developer text.
async fn html_refusals(request: Request, next: Next) -> Response {
    let lang = Lang::negotiate(request.uri().query(), request.headers());
    let is_static = request.uri().path().starts_with("/static/");
    let response = next.run(request).await;
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if is_static || !plain || response.status().is_success() {
        return response;
    }
    let error = match response.status() {
        StatusCode::BAD_REQUEST | StatusCode::NOT_FOUND => {
            ApiError::NotFound("no such page or object".into())
        }
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge("the form is too large".into()),
        _ => ApiError::BadRequest("the form could not be read".into(), Vec::new()),
    };
    PageError {
        lang,
        error,
        chrome: None,
    }
    .into_response()
}

/// Each role lands on what it works on: leaders and analysts on the dashboard, chain roles on their chain,
/// park roles on their park, an enterprise user on their enterprise.
async fn home(viewer: Viewer) -> Response {
    let (one, list) = match viewer.actor().scope.landing() {
        Landing::Dashboard => (None, "/dashboard"),
        Landing::Chain(one) => (one.map(|id| format!("/chains/{id}")), "/chains"),
        Landing::Park(one) => (one.map(|id| format!("/parks/{id}")), "/parks"),
        Landing::Enterprise(one) => (one.map(|id| format!("/enterprises/{id}")), "/enterprises"),
    };
    Redirect::to(&one.unwrap_or_else(|| list.to_string())).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_switch_keeps_the_rest_of_the_query() {
        let uri: Uri = "/enterprises?q=%E9%95%BF%E5%AE%89&lang=zh&offset=50"
            .parse()
            .expect("uri");
        assert_eq!(
            switch_language_href(&uri, Lang::En),
            "/enterprises?q=%E9%95%BF%E5%AE%89&offset=50&lang=en"
        );
    }
}
