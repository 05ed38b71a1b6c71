//! The interface's two languages. Chinese is the default; a user's choice comes from `?lang=` (remembered in a
//! cookie), then that cookie, then the browser's Accept-Language. Every text of the pages is in the one table
//! below, so a missing translation is a failing test, not a blank on a page.

use axum::http::HeaderMap;

pub const LANG_COOKIE: &str = "chainpark_lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The value of the `lang` attribute of the page.
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    pub fn parse(text: &str) -> Option<Lang> {
        let text = text.trim().to_ascii_lowercase();
        if text.starts_with("zh") {
            Some(Lang::Zh)
        } else if text.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The language asked for by `?lang=`, the cookie, or Accept-Language, in that order.
    pub fn negotiate(query: Option<&str>, headers: &HeaderMap) -> Lang {
        query
            .and_then(lang_in_query)
            .or_else(|| crate::auth::cookie(headers, LANG_COOKIE).and_then(|v| Lang::parse(&v)))
            .or_else(|| {
                headers
                    .get(axum::http::header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(from_accept_language)
            })
            .unwrap_or_default()
    }

    /// The text of `key` in this language; the key itself when the table lacks it (a test forbids that).
    pub fn t(self, key: &str) -> &'static str {
        match TEXTS.iter().chain(FORM_TEXTS).find(|(k, _, _)| *k == key) {
            Some((_, zh, en)) => match self {
                Lang::Zh => zh,
                Lang::En => en,
            },
            None => {
                debug_assert!(false, "the text {key:?} is missing from the table");
                tracing::error!(key, "a text is missing from the table");
                "??"
            }
        }
    }

    /// One of two texts given inline, for names stored in both languages.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::En if !en.is_empty() => en,
            _ => zh,
        }
    }
}

/// The `lang` parameter of a query string, when it names a language.
pub fn lang_in_query(query: &str) -> Option<Lang> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "lang")
        .and_then(|(_, v)| Lang::parse(&v))
}

/// The preferred of Chinese and English in an Accept-Language header, by quality then order.
pub fn from_accept_language(header: &str) -> Option<Lang> {
    let mut best: Option<(f32, usize, Lang)> = None;
    for (index, entry) in header.split(',').enumerate() {
        let mut parts = entry.split(';');
        let Some(lang) = parts.next().and_then(Lang::parse) else {
            continue;
        };
        let quality = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if quality <= 0.0 {
            continue;
        }
        let better = match best {
            None => true,
            Some((q, i, _)) => quality > q || (quality == q && index < i),
        };
        if better {
            best = Some((quality, index, lang));
        }
    }
    best.map(|(_, _, lang)| lang)
}

/// Every text of the interface: key, Chinese, English.
pub const TEXTS: &[(&str, &str, &str)] = &[
    ("app.name", "链园通 chainpark", "chainpark"),
    (
        "app.tagline",
        "产业链与园区管理系统",
        "Industry chains and parks",
    ),
    ("nav.home", "首页", "Home"),
    ("nav.dashboard", "驾驶舱", "Dashboard"),
    ("nav.chains", "产业链", "Chains"),
    ("nav.parks", "园区", "Parks"),
    ("nav.enterprises", "企业", "Enterprises"),
    ("nav.import", "数据导入", "Import"),
    ("nav.accounts", "账号", "Accounts"),
    ("accounts.title", "账号管理", "Accounts"),
    ("accounts.created", "已创建账号", "Account created:"),
    ("accounts.username", "用户名", "Username"),
    ("accounts.display_name", "显示名称", "Display name"),
    ("accounts.role", "角色", "Role"),
    ("accounts.person", "对应人员", "Person"),
    (
        "accounts.person_id",
        "人员（链长、园长、企业等角色必填）",
        "Person (required for chief, owner, staff and enterprise roles)",
    ),
    ("accounts.status", "状态", "Status"),
    ("accounts.active", "启用", "Active"),
    ("accounts.disabled", "停用", "Disabled"),
    ("accounts.new", "新建账号", "New account"),
    ("accounts.manage", "管理", "Manage"),
    ("accounts.disable", "停用", "Disable"),
    ("accounts.enable", "启用", "Enable"),
    ("accounts.new_password", "新密码", "New password"),
    ("accounts.reset_password", "重置密码", "Reset the password"),
    (
        "accounts.changed.disabled",
        "已停用账号",
        "Account disabled:",
    ),
    ("accounts.changed.enabled", "已启用账号", "Account enabled:"),
    ("accounts.changed.password", "已重置密码", "Password reset:"),
    (
        "accounts.ended",
        "撤销 {tokens} 个接口令牌，结束 {sessions} 个登录会话",
        "{tokens} API tokens revoked, {sessions} sessions ended",
    ),
    (
        "accounts.password",
        "密码（至少10位）",
        "Password (at least 10 characters)",
    ),
    ("accounts.create", "创建", "Create"),
    ("nav.sign_out", "退出", "Sign out"),
    ("nav.language", "English", "中文"),
    ("nav.main", "主导航", "Main navigation"),
    ("nav.skip", "跳到正文", "Skip to the content"),
    ("nav.inbox", "消息", "Inbox"),
    ("nav.appeals", "企业诉求", "Appeals"),
    ("nav.projects", "重点项目", "Projects"),
    ("nav.work_orders", "园区工单", "Work orders"),
    ("inbox.title", "我的消息", "Inbox"),
    ("inbox.unread", "未读", "Unread"),
    ("inbox.total", "全部", "All"),
    ("inbox.read_all", "全部标为已读", "Mark all read"),
    ("inbox.mark_read", "标为已读", "Mark read"),
    ("inbox.read", "已读", "Read"),
    ("inbox.empty", "暂无消息", "No messages"),
    ("inbox.at", "时间", "When"),
    ("inbox.subject", "主题", "Subject"),
    ("inbox.body", "内容", "Message"),
    ("appeals.title", "企业诉求", "Enterprise appeals"),
    ("appeals.status", "状态", "Status"),
    ("appeals.overdue", "超期", "Overdue"),
    ("appeals.overdue_only", "仅超期", "Overdue only"),
    ("appeals.in_time_only", "仅未超期", "In time only"),
    ("appeals.unit", "件", "appeals"),
    ("appeals.case_title", "标题", "Title"),
    ("appeals.enterprise", "企业", "Enterprise"),
    ("appeals.enterprise_id", "企业编号", "Enterprise id"),
    ("appeals.category", "类别", "Category"),
    ("appeals.urgency", "紧急程度", "Urgency"),
    ("appeals.received_on", "受理日", "Received"),
    ("appeals.reply_due", "答复时限", "Reply due"),
    ("appeals.assignee", "承办人", "Assignee"),
    ("appeals.file", "提交诉求", "File an appeal"),
    ("appeals.description", "诉求内容", "Description"),
    ("appeals.submit", "提交", "Submit"),
    ("appeal.filed", "诉求已提交", "The appeal has been filed"),
    ("appeal.complex", "复杂诉求", "Complex case"),
    ("appeal.accept_due", "受理时限", "Accept by"),
    ("appeal.working_days", "个工作日", "working days"),
    (
        "deadline.provisional",
        "{year}年节假日安排未载入，暂按周一至周五计算",
        "calendar for {year} not loaded: counted on weekdays for now",
    ),
    ("appeal.handler", "责任人", "Routed to"),
    ("appeal.office_phone", "办公电话", "Office phone"),
    ("appeal.escalated_to", "督办", "Escalated to"),
    ("appeal.reply", "答复", "Reply"),
    ("appeal.rating", "评分", "Rating"),
    ("appeal.note", "说明", "Note"),
    ("appeal.assignee_person_id", "承办人", "Assignee"),
    ("appeal.satisfied", "是否满意", "Satisfied?"),
    ("appeal.satisfied_yes", "满意", "Satisfied"),
    ("appeal.satisfied_no", "不满意", "Not satisfied"),
    ("appeal.steps", "办理过程", "Steps"),
    ("appeal.by", "操作人", "By"),
    ("appeal.step", "环节", "Step"),
    ("appeal.back", "返回诉求列表", "Back to the appeals"),
    ("appeal.action.file", "提交", "Filed"),
    ("appeal.action.escalate", "超期督办", "Escalated (overdue)"),
    ("appeal.action.accept", "受理", "Accept"),
    ("appeal.action.assign", "交办", "Assign"),
    ("appeal.action.handle", "开始办理", "Start handling"),
    ("appeal.action.reply", "答复", "Reply"),
    ("appeal.action.close", "回访办结", "Close after call-back"),
    ("appeal.action.rate", "评价", "Rate"),
    ("appeal.status.submitted", "已提交", "Submitted"),
    ("appeal.status.accepted", "已受理", "Accepted"),
    ("appeal.status.assigned", "已交办", "Assigned"),
    ("appeal.status.handling", "办理中", "Handling"),
    ("appeal.status.replied", "已答复", "Replied"),
    ("appeal.status.closed", "已办结", "Closed"),
    ("appeal.overdue.accept", "受理超期", "Acceptance overdue"),
    ("appeal.overdue.reply", "答复超期", "Reply overdue"),
    ("appeal.urgency.normal", "一般", "Normal"),
    ("appeal.urgency.urgent", "紧急", "Urgent"),
    ("appeal.category.policy", "政策咨询与兑现", "Policy"),
    ("appeal.category.permits", "审批办证", "Permits"),
    ("appeal.category.land", "用地规划", "Land"),
    ("appeal.category.utilities", "水电气讯", "Utilities"),
    ("appeal.category.finance", "融资", "Finance"),
    ("appeal.category.talent", "人才用工", "Talent"),
    ("appeal.category.supply_chain", "产业链配套", "Supply chain"),
    ("appeal.category.logistics", "物流通关", "Logistics"),
    ("appeal.category.facilities", "园区设施", "Park facilities"),
    ("appeal.category.other", "其他", "Other"),
    ("projects.title", "重点项目", "Key projects"),
    ("projects.figures", "项目指标", "Figures"),
    ("projects.all", "全区", "The zone"),
    ("projects.count", "项目数", "Projects"),
    ("projects.start_rate", "开工率", "Start rate"),
    ("projects.production_rate", "投产率", "Production rate"),
    ("projects.by_stage", "按阶段", "By stage"),
    ("projects.stage", "阶段", "Stage"),
    ("projects.name", "项目名称", "Project"),
    ("projects.investor", "投资方", "Investor"),
    ("projects.planned", "计划投资（万元）", "Planned (10k yuan)"),
    (
        "projects.completed",
        "完成投资（万元）",
        "Completed (10k yuan)",
    ),
    ("projects.chief", "链长", "Chief"),
    ("project.stage.lead", "线索", "Lead"),
    ("project.stage.visit", "拜访", "Visit"),
    ("project.stage.negotiation", "洽谈", "Negotiation"),
    ("project.stage.signed", "签约", "Signed"),
    ("project.stage.registered", "注册", "Registered"),
    ("project.stage.started", "开工", "Started"),
    ("project.stage.in_production", "投产", "In production"),
    ("project.stage.at_capacity", "达产", "At capacity"),
    ("health.title", "产业链诊断", "Chain diagnosis"),
    ("roadmap.title", "招商路线图", "Attraction roadmap"),
    ("roadmap.link", "招商路线图", "Roadmap"),
    (
        "roadmap.workbook",
        "下载N图N清单（XLSX）",
        "Download the maps and lists (XLSX)",
    ),
    (
        "roadmap.intro",
        "缺口环节按优先级排列；每个环节列出得分最高的招商目标和已转成的线索。鼠标悬停在得分上可查看各项得分与权重。",
        "Gap segments by priority, each with its best-scoring targets and the leads made of them. Hover over a score to see its parts and weights.",
    ),
    ("roadmap.targets", "招商目标", "Targets"),
    ("roadmap.leads", "线索与项目", "Leads"),
    (
        "roadmap.no_targets",
        "暂无匹配的候选企业",
        "No matching candidate",
    ),
    (
        "roadmap.no_gaps",
        "本链暂无缺口环节",
        "The chain has no gap segment",
    ),
    ("roadmap.to_lead", "转为线索", "Turn into a lead"),
    ("roadmap.pinned", "置顶", "pinned"),
    ("roadmap.pin", "置顶", "Pin"),
    ("policies.title", "政策清单", "Policies"),
    (
        "print.title",
        "N图N清单（调度会）",
        "Maps and lists (scheduling meeting)",
    ),
    ("print.link", "打印N图N清单", "Print the maps and lists"),
    (
        "print.intro",
        "产业链图、招商路线图与企业、项目、问题、政策清单，供产业链调度会打印使用（A4）。",
        "The chain map, the attraction roadmap and the lists of firms, projects, problems and policies, to print on A4 for the chain's scheduling meeting.",
    ),
    ("print.firms", "本地企业合计", "Local firms in all"),
    ("policies.link", "政策清单", "Policies"),
    (
        "policies.intro",
        "与本链相关的政策文件，按发布日期从新到旧排列。",
        "The policy documents bearing on this chain, the latest issued first.",
    ),
    ("policies.document", "文件", "Document"),
    ("policies.issuer", "发文机关", "Issued by"),
    ("policies.number", "文号", "Document number"),
    ("policies.issued_on", "发布日期", "Issued on"),
    ("policies.summary", "要点", "Summary"),
    ("policies.text", "全文", "Full text"),
    ("policies.none", "暂无政策文件", "No policy document yet"),
    ("policies.new", "新增政策文件", "New policy document"),
    ("policies.add", "添加", "Add"),
    ("policies.edit", "编辑", "Edit"),
    (
        "policies.edit_title",
        "编辑政策文件",
        "Edit a policy document",
    ),
    ("policies.save", "保存", "Save"),
    ("policies.title_field", "文件名称", "Title"),
    ("policies.url", "网址", "Web address"),
    (
        "policies.url_hint",
        "网址与全文至少填写一项。",
        "Give the document's web address, its full text, or both.",
    ),
    ("policies.archive", "删除", "Delete"),
    (
        "policies.archive_hint",
        "删除后文件不再列入本链政策清单，操作记录仍保留。",
        "A deleted document leaves the chain's list; the audit trail keeps it.",
    ),
    ("chain.criticality", "关键度", "Criticality"),
    ("chain.criticality.low", "低", "low"),
    ("chain.criticality.mid", "中", "medium"),
    ("chain.criticality.high", "高", "high"),
    (
        "health.map",
        "产业链图（按缺口类别与关键度着色）",
        "Chain map (by gap class and criticality)",
    ),
    ("roadmap.unpin", "取消置顶", "Unpin"),
    ("roadmap.exclude", "排除", "Exclude"),
    ("roadmap.exclude_reason", "排除原因", "Reason"),
    ("roadmap.excluded_list", "已排除的企业", "Excluded firms"),
    ("roadmap.restore", "恢复", "Restore"),
    ("roadmap.weights", "调整得分权重", "Weights of the score"),
    ("roadmap.weights_save", "保存权重", "Save the weights"),
    ("roadmap.rank", "排名", "Rank"),
    ("roadmap.candidate", "企业", "Firm"),
    ("roadmap.credit_code", "统一社会信用代码", "Credit code"),
    ("roadmap.place", "所在地", "Location"),
    ("roadmap.score", "得分", "Score"),
    ("roadmap.weight", "权重", "weight"),
    (
        "roadmap.score_formula",
        "得分 = Σ 权重 × 分项 / Σ 权重",
        "Score = Σ weight × part / Σ weights",
    ),
    ("roadmap.part.match", "环节匹配", "Segment match"),
    ("roadmap.part.scale", "规模", "Scale"),
    ("roadmap.part.growth", "成长性", "Growth"),
    (
        "roadmap.part.relations",
        "本地配套关系",
        "Local supply relations",
    ),
    ("roadmap.part.distance", "距离", "Distance"),
    ("roadmap.excluded", "排除原因", "Excluded because"),
    ("roadmap.project", "项目", "Project"),
    ("roadmap.stage", "阶段", "Stage"),
    ("roadmap.problem_kind", "类别", "Kind"),
    ("roadmap.problem", "问题", "Problem"),
    ("roadmap.appeal", "未办结诉求", "Open appeal"),
    ("roadmap.sheet.diagnosis", "产业链诊断", "Diagnosis"),
    ("roadmap.sheet.targets", "招商目标清单", "Targets"),
    ("roadmap.sheet.leads", "招商线索", "Leads"),
    ("roadmap.sheet.policies", "政策清单", "Policies"),
    ("roadmap.sheet.projects", "项目清单", "Projects"),
    ("roadmap.sheet.enterprises", "企业清单", "Enterprises"),
    ("roadmap.sheet.problems", "问题清单", "Problems"),
    ("health.link", "产业链诊断", "Diagnosis"),
    (
        "health.reference",
        "区位熵参照",
        "Location-quotient reference",
    ),
    (
        "health.no_reference",
        "尚未导入参照表，区位熵无法计算",
        "no reference table imported: no location quotients",
    ),
    ("health.completeness", "完整度", "Completeness"),
    (
        "health.gaps",
        "末级环节按缺口类别",
        "Leaf segments by gap class",
    ),
    (
        "health.segments",
        "环节（按优先级）",
        "Segments by priority",
    ),
    (
        "health.hover",
        "鼠标悬停在数字上可查看计算公式和输入值。",
        "Hover over a number to see its formula and inputs.",
    ),
    ("health.segment", "环节", "Segment"),
    ("health.class", "缺口类别", "Gap class"),
    ("health.firms", "本地企业", "Local firms"),
    ("health.output", "产值（亿元）", "Output (100 M yuan)"),
    ("health.share", "占全链", "Share of chain"),
    ("health.growth", "同比", "Year on year"),
    ("health.degree", "下游依赖数", "Degree"),
    ("health.priority", "优先级", "Priority"),
    ("health.parent", "含下级环节", "with its sub-segments"),
    ("health.class.broken", "断链", "Broken link"),
    ("health.class.single_point", "单点", "Single supplier"),
    ("health.class.weak", "短板", "Weak (LQ < 1)"),
    ("health.class.concentrated", "集中", "Concentrated"),
    ("health.class.healthy", "健康", "Healthy"),
    ("report.title", "调度会报告", "Scheduling report"),
    ("report.link", "调度会报告", "Scheduling report"),
    ("report.kind.chain", "产业链", "Chain"),
    ("report.kind.park", "园区", "Park"),
    ("report.as_of", "截至", "as of"),
    ("report.month", "月份", "Month"),
    ("report.show", "查看", "Show"),
    (
        "report.figures",
        "主要指标（1月至本月）",
        "Figures (January to the month)",
    ),
    ("report.indicator", "指标", "Indicator"),
    ("report.value", "数值", "Value"),
    ("report.last_year", "上年同期", "Last year"),
    ("report.yoy", "同比", "Year on year"),
    ("report.firms", "企业数", "Firms"),
    ("report.project_section", "重点项目", "Key projects"),
    ("report.projects", "项目数", "Projects"),
    ("report.signed", "已签约", "Signed"),
    ("report.started", "已开工", "Started"),
    ("report.in_production", "已投产", "In production"),
    (
        "report.planned_year",
        "年度计划投资（万元）",
        "Planned this year (10k yuan)",
    ),
    (
        "report.completed_year",
        "年内完成投资（万元）",
        "Completed this year (10k yuan)",
    ),
    ("report.start_rate", "开工率", "Start rate"),
    ("report.production_rate", "投产率", "Production rate"),
    ("report.plan_completion", "投资完成率", "Plan completion"),
    ("report.time_progress", "时间进度", "Time elapsed"),
    ("report.moved", "本月进展", "Moved this month"),
    ("report.on", "日期", "On"),
    ("report.project", "项目", "Project"),
    (
        "report.overdue_milestones",
        "超期节点",
        "Overdue milestones",
    ),
    ("report.milestone", "节点", "Milestone"),
    ("report.due_on", "应完成", "Due on"),
    ("report.received", "本月受理", "Received this month"),
    ("report.closed", "本月办结", "Closed this month"),
    ("report.open", "月末未办结", "Open at month end"),
    ("report.overdue", "月末超期", "Overdue at month end"),
    ("report.on_time", "按时办结率", "On-time rate"),
    ("report.open_appeals", "未办结诉求", "Open appeals"),
    ("report.wo_created", "本月新增工单", "Created this month"),
    ("work_orders.title", "园区工单", "Park work orders"),
    ("work_orders.park", "园区", "Park"),
    ("work_orders.facility", "设施", "Facility"),
    ("work_orders.kind", "类型", "Type"),
    ("work_orders.due_at", "时限", "Due"),
    ("work_orders.overdue", "超时", "Overdue"),
    ("work_orders.create", "新建工单", "New work order"),
    ("appeals.on_time_rate", "按时办结率", "On-time rate"),
    ("work_orders.description", "描述", "Description"),
    ("work_orders.steps", "操作", "Steps"),
    ("work_orders.note", "说明", "Note"),
    ("work_order.created", "创建", "Opened"),
    ("work_order.alarm", "来源告警", "Raised by the alarm"),
    ("work_order.meter", "计量表", "Meter"),
    ("work_order.alarm_since", "告警时段", "Alarm since"),
    ("work_order.still_wrong", "退回原因", "What is still wrong"),
    ("work_order.back", "返回工单列表", "Back to the work orders"),
    ("work_order.action.assign", "派单", "Assign"),
    ("work_order.action.start", "开始", "Start"),
    ("work_order.action.finish", "完成", "Finish"),
    ("work_order.action.close", "关闭", "Close"),
    ("work_order.action.reject", "退回", "Reject"),
    ("work_order.action.create", "创建工单", "Opened"),
    (
        "work_order.action.escalate",
        "超期督办",
        "Escalated (overdue)",
    ),
    ("work_order.action.other", "其他操作", "Other step"),
    (
        "work_order.escalated_note",
        "超过时限：",
        "Past its due time:",
    ),
    ("work_order.status.open", "待派", "Open"),
    ("work_order.status.assigned", "已派", "Assigned"),
    ("work_order.status.in_progress", "处理中", "In progress"),
    ("work_order.status.done", "已完成", "Done"),
    ("work_order.status.closed", "已关闭", "Closed"),
    ("work_order.urgency.routine", "一般", "Routine"),
    ("work_order.urgency.urgent", "紧急", "Urgent"),
    ("work_order.urgency.emergency", "特急", "Emergency"),
    ("work_order.kind.repair", "维修", "Repair"),
    (
        "work_order.kind.safety_inspection",
        "安全巡检",
        "Safety inspection",
    ),
    ("work_order.kind.environment", "环境", "Environment"),
    ("work_order.kind.security", "安保", "Security"),
    ("work_order.kind.utilities", "水电气", "Utilities"),
    ("work_order.kind.other", "其他", "Other"),
    ("signin.title", "登录", "Sign in"),
    ("signin.username", "用户名", "Username"),
    ("signin.password", "密码", "Password"),
    ("signin.submit", "登录", "Sign in"),
    (
        "signin.failed",
        "用户名或密码错误",
        "Wrong username or password",
    ),
    (
        "signin.throttled",
        "此账号从本地址登录失败次数过多，请稍候再试",
        "Too many failed sign-ins for this account from here; wait a little before trying again",
    ),
    ("signin.retry_after", "需等待", "wait"),
    (
        "signin.expired",
        "页面已过期，请重新登录",
        "The page expired; please sign in again",
    ),
    ("post.chief_level.overall", "总链长", "Overall chain chief"),
    ("post.chief_level.chain", "链长", "Chain chief"),
    ("post.chief_level.deputy", "副链长", "Deputy chain chief"),
    (
        "post.owner_kind.leading_company_head",
        "链主（龙头企业负责人）",
        "Chain owner (head of the leading company)",
    ),
    (
        "post.owner_kind.association_head",
        "链主（行业协会负责人）",
        "Chain owner (head of the industry association)",
    ),
    (
        "post.owner_kind.expert",
        "链主（专家）",
        "Chain owner (expert)",
    ),
    (
        "post.owner_kind.park_manager",
        "链主（园区运营方）",
        "Chain owner (park operator)",
    ),
    ("role.admin", "管理员", "Administrator"),
    ("role.leader", "管委会领导", "Leader"),
    ("role.analyst", "分析员", "Analyst"),
    ("role.chain_chief", "链长", "Chain chief"),
    ("role.chain_task_force", "链办", "Chain task force"),
    ("role.chain_owner", "链主", "Chain owner"),
    ("role.park_chief", "园长", "Park chief"),
    ("role.park_staff", "园区工作人员", "Park staff"),
    ("role.enterprise", "企业用户", "Enterprise user"),
    ("fig.confidential", "保密", "confidential"),
    ("fig.withheld.min_firms", "企业过少", "too few firms"),
    (
        "fig.withheld.dominance",
        "单家企业占比过高",
        "one firm dominates",
    ),
    (
        "fig.withheld.secondary",
        "防止推算",
        "protects another figure",
    ),
    ("dash.title", "驾驶舱", "Dashboard"),
    (
        "dash.calendar_missing",
        "{year}年国务院节假日安排尚未载入：延伸到该年的诉求和工单时限暂按周一至周五计算，载入后自动重算（chainpark calendar 文件，或 POST /api/v1/calendar）。",
        "The State Council's holiday arrangement for {year} is not loaded: deadlines running into {year} are counted on weekdays for now and counted again once it is loaded (chainpark calendar FILE, or POST /api/v1/calendar).",
    ),
    ("dash.period", "统计期", "Period"),
    ("dash.show", "查看", "Show"),
    (
        "dash.digital_value",
        "数字经济增加值",
        "Digital-economy added value",
    ),
    (
        "dash.digital_firms",
        "数字经济企业",
        "Digital-economy enterprises",
    ),
    ("dash.output", "规上工业总产值", "Industrial gross output"),
    ("dash.share_city", "占全市比重", "share of the city"),
    ("dash.yoy", "同比", "year on year"),
    ("dash.firms_reporting", "家报送数据", "reporting firms"),
    ("dash.registered", "在册", "registered"),
    ("dash.by_chain", "各产业链总产值", "Gross output by chain"),
    ("dash.parks_map", "园区分布", "Parks of the zone"),
    (
        "dash.trend_digital",
        "数字经济增加值月度走势",
        "Digital-economy added value by month",
    ),
    (
        "dash.trend_output",
        "工业总产值月度走势",
        "Industrial gross output by month",
    ),
    ("dash.registry", "登记在册", "In the registry"),
    (
        "dash.no_figures",
        "暂无该期数据（尚未导入指标）",
        "No figures for this period yet (no indicators imported)",
    ),
    ("dash.projects", "重点项目", "Key projects"),
    (
        "dash.transformation",
        "智能化改造项目（已完成）",
        "Transformation projects completed",
    ),
    ("dash.workshops", "数字化车间", "digital workshops"),
    ("dash.factories", "智能工厂", "intelligent factories"),
    ("dash.stage_signed", "签约", "signed"),
    ("dash.stage_started", "开工", "started"),
    ("dash.stage_in_production", "投产", "in production"),
    ("unit.projects", "个", "projects"),
    ("dash.method", "同比口径", "Growth method"),
    ("dash.share", "占比", "Share"),
    (
        "method.published_totals",
        "本期与上年同期均为全部报送企业的合计，现价计算",
        "this period and the same period last year, each the total of every firm that reported; at current prices",
    ),
    (
        "method.same_firms",
        "上年同期按本期报送企业重新计算（可比口径），现价计算",
        "last year restated to the firms that reported this period; at current prices",
    ),
    ("dash.pillars", "支柱产业", "Pillar industries"),
    ("chart.this_year", "本年", "this year"),
    ("chart.last_year", "上年", "last year"),
    ("chart.month", "月", "month"),
    ("count.enterprises", "企业", "Enterprises"),
    ("count.parks", "园区", "Parks"),
    ("count.chains", "产业链", "Chains"),
    ("count.segments", "环节", "Segments"),
    ("count.areas", "产业功能区", "Industry areas"),
    ("unit.firms", "家", "firms"),
    ("unit.yi", "亿元", "100 million yuan"),
    ("unit.yi_short", "亿", " ×100M ¥"),
    ("unit.symbol.yuan", "元", "yuan"),
    ("unit.symbol.person", "人", "persons"),
    (
        "unit.symbol.tonne_coal_equivalent",
        "吨标准煤",
        "t of standard coal",
    ),
    ("unit.symbol.kilowatt_hour", "千瓦时", "kWh"),
    ("unit.symbol.count", "个", "items"),
    ("unit.wan", "万元", "10,000 yuan"),
    ("unit.mu", "亩", "mu"),
    ("unit.wan_per_mu", "万元/亩", "10,000 yuan per mu"),
    ("chains.title", "产业链", "Industry chains"),
    ("chains.gaps", "缺链/弱链环节", "Gap segments"),
    ("chain.map", "产业链图谱", "Chain map"),
    ("chain.chief", "链长", "Chain chief"),
    ("chain.owners", "链主", "Chain owners"),
    ("chain.task_force", "链办", "Task force"),
    ("chain.parks", "相关园区", "Parks of the chain"),
    (
        "chain.legend",
        "每个环节：本环节及其下级环节的本地企业数，本环节企业的总产值（亿元）。点击环节查看企业。虚线框：缺链（无本地企业）；橙色：弱链（少于3家）。",
        "Each segment: local firms in it or below it, and the gross output of its own firms (100 million yuan). Click a segment to list its firms. Dashed: gap (no local firm); orange: weak (fewer than 3 firms).",
    ),
    (
        "chain.supply_legend",
        "曲线：供应关系，由供货环节指向采购环节",
        "Curves: supply links, from the supplying segment to the buying one",
    ),
    ("chain.gap", "缺链", "gap"),
    ("chain.weak", "弱链", "weak"),
    ("chain.segment_firms", "环节企业", "Firms of the segment"),
    ("chain.all_firms", "全链企业", "Firms of the chain"),
    ("chain.output", "产值", "Output"),
    ("chain.upstream", "上游", "Upstream"),
    ("chain.midstream", "中游", "Midstream"),
    ("chain.downstream", "下游", "Downstream"),
    ("chain.none", "暂无", "none"),
    ("chain.figures", "产业链指标", "Chain figures"),
    ("parks.title", "园区", "Parks"),
    ("park.chief", "园长", "Park chief"),
    ("park.land", "用地面积", "Land area"),
    ("park.district", "所在区", "District"),
    ("park.area", "产业功能区", "Industry area"),
    ("park.output", "总产值", "Gross output"),
    ("park.per_mu", "亩均产值", "Output per mu"),
    (
        "park.trend",
        "园区总产值月度走势",
        "Park gross output by month",
    ),
    ("park.enterprises", "入驻企业", "Tenant enterprises"),
    ("park.location", "位置", "Location"),
    ("board.energy", "本月能耗", "Energy this month"),
    ("board.no_meters", "暂无计量数据", "No meter readings yet"),
    (
        "board.filling",
        "读数生成中：已完成 {done} / {total} 天",
        "Readings being generated: {done} of {total} days",
    ),
    ("board.medium", "介质", "Medium"),
    ("board.this_month", "本月", "This month"),
    ("board.a_year_ago", "上年同月", "Same month last year"),
    ("board.alarms", "未消除告警", "Open alarms"),
    ("board.hazards", "隐患（按等级）", "Hazards by level"),
    ("board.hazards_open", "未销号", "Not closed"),
    ("board.hazards_overdue", "逾期", "Overdue"),
    ("safety.title", "安全巡检", "Safety inspections"),
    ("safety.park", "园区", "Park"),
    ("safety.all_parks", "全部园区", "All parks"),
    ("safety.new_plan", "新建巡检计划", "New inspection plan"),
    ("safety.plans", "巡检计划", "Inspection plans"),
    ("safety.no_plans", "暂无巡检计划", "No inspection plans"),
    ("safety.plan_title", "巡检计划", "Inspection plan"),
    ("safety.every_days", "巡检周期（天）", "Every (days)"),
    ("safety.starts_on", "开始日期", "Starts on"),
    ("safety.last_done", "上次巡检", "Last inspected"),
    ("safety.next_due", "下次应检", "Next due"),
    ("safety.checklist", "检查项", "Checklist"),
    ("safety.one_a_line", "每行一项", "one item a line"),
    ("safety.hazards", "隐患", "Hazards"),
    ("safety.no_hazards", "暂无隐患", "No hazards"),
    ("safety.hazard", "隐患", "Hazard"),
    ("safety.level", "隐患等级", "Level"),
    ("safety.level.general", "一般隐患", "General"),
    ("safety.level.major", "较大隐患", "Major"),
    ("safety.level.grave", "重大隐患", "Grave"),
    ("safety.status.open", "待整改", "Open"),
    ("safety.status.rectifying", "整改中", "Being rectified"),
    ("safety.status.closed", "已销号", "Closed"),
    ("safety.result", "检查结果", "Result"),
    ("safety.result.pass", "合格", "Pass"),
    ("safety.result.fail", "不合格", "Fail"),
    ("safety.result.not_applicable", "不适用", "Not applicable"),
    ("safety.description", "隐患描述", "Hazard description"),
    ("safety.deadline", "整改期限", "Deadline"),
    ("safety.found_on", "发现日期", "Found on"),
    ("safety.item", "检查项", "Checklist item"),
    ("safety.closed_at", "销号时间", "Closed at"),
    ("safety.inspections", "巡检记录", "Inspections"),
    ("safety.no_inspections", "尚未巡检", "Not inspected yet"),
    ("safety.inspected_at", "巡检时间", "Inspected at"),
    ("safety.inspector", "巡检人", "Inspector"),
    ("safety.failed", "不合格项", "Failed items"),
    ("safety.photos", "照片", "Photos"),
    ("safety.photo", "照片", "Photo"),
    ("safety.record", "登记巡检", "Record an inspection"),
    ("safety.if_failed", "不合格时填写", "when failed"),
    (
        "safety.open_order",
        "派发整改工单",
        "Open a work order to rectify it",
    ),
    ("safety.recheck", "复查", "Re-check"),
    ("safety.recheck_result", "复查结论", "Re-check result"),
    ("safety.passed", "通过，销号", "Passed: close it"),
    (
        "safety.not_passed",
        "未通过，重新整改",
        "Not passed: rectify again",
    ),
    (
        "safety.note_if_failed",
        "未通过时必填",
        "required when not passed",
    ),
    ("safety.rechecks", "复查记录", "Re-checks"),
    ("safety.no_rechecks", "尚无复查", "No re-checks yet"),
    ("safety.back", "返回安全巡检", "Back to safety inspections"),
    ("board.no_alarms", "无告警", "No open alarms"),
    ("board.meter", "计量表", "Meter"),
    ("board.rule", "告警类型", "Alarm"),
    ("board.since", "开始时间", "Since"),
    ("board.work_order", "工单", "Work order"),
    ("space.title", "空间与出租", "Space and occupancy"),
    ("space.on", "日期", "On"),
    ("space.show", "查看", "Show"),
    ("space.units", "单元数", "Units"),
    ("space.leased_units", "已出租单元", "Leased units"),
    ("space.area", "面积", "Area"),
    ("space.leased_area", "已出租面积", "Leased area"),
    ("space.vacancy", "空置率", "Vacancy rate"),
    ("space.per_firm", "户均面积", "Space per firm"),
    ("space.no_buildings", "暂无楼宇", "No buildings yet"),
    ("space.buildings", "楼宇", "Buildings"),
    ("space.code", "编号", "Code"),
    ("space.name", "名称", "Name"),
    ("space.floors", "层数", "Floors"),
    ("space.gross_area", "建筑面积", "Gross area"),
    ("space.use", "用途", "Use"),
    ("space.built", "建成年份", "Built"),
    ("space.unit_list", "单元", "Units"),
    ("space.building", "楼宇", "Building"),
    ("space.floor", "楼层", "Floor"),
    ("space.kind", "类型", "Kind"),
    ("space.tenant", "承租企业", "Tenant"),
    ("space.lease_to", "租约到期", "Lease ends"),
    ("space.vacant", "空置", "Vacant"),
    ("space.kind.factory", "厂房", "Factory"),
    ("space.kind.office", "办公", "Office"),
    ("space.kind.lab", "实验室", "Lab"),
    ("space.kind.dormitory", "宿舍", "Dormitory"),
    ("meters.medium.electricity", "电", "Electricity"),
    ("meters.medium.water", "水", "Water"),
    ("meters.medium.gas", "燃气", "Gas"),
    ("meters.medium.heat", "热", "Heat"),
    ("meters.rule.no_data", "数据中断", "No data"),
    (
        "meters.rule.night_flow",
        "夜间流量（疑似漏水）",
        "Night-time flow (leak)",
    ),
    ("meters.rule.jump", "用量突增", "Jump in use"),
    ("ent.title", "企业查询", "Enterprise search"),
    ("ent.search", "搜索", "Search"),
    (
        "ent.search_hint",
        "企业名称任意部分、统一社会信用代码或拼音首字母",
        "Any part of the name, the credit code, or pinyin initials",
    ),
    ("ent.name", "企业名称", "Name"),
    ("ent.credit_code", "统一社会信用代码", "Credit code"),
    ("ent.industry", "行业代码", "Industry code"),
    (
        "ent.industry_untranslated",
        "仅有中文名称",
        "Chinese name only: the table has no English name for this code",
    ),
    ("ent.industry_within", "属于", "within"),
    ("ent.park", "园区", "Park"),
    ("ent.chain", "产业链", "Chain"),
    ("ent.segments", "产业链环节", "Chain segments"),
    ("ent.district", "所在区", "District"),
    ("ent.flags", "标识", "Flags"),
    ("ent.above_size", "规上", "above size"),
    ("ent.high_tech", "高新", "high-tech"),
    ("ent.leading", "龙头", "leading"),
    ("ent.founded", "成立日期", "Founded"),
    ("ent.status", "状态", "Status"),
    ("ent.status.active", "在营", "active"),
    ("ent.status.moved_out", "迁出", "moved out"),
    ("ent.status.closed", "注销", "closed"),
    ("ent.contact", "联系方式", "Contact"),
    ("ent.contact_name", "联系人", "Contact person"),
    ("ent.phone", "电话", "Phone"),
    ("ent.email", "电子邮箱", "E-mail"),
    ("ent.address", "地址", "Address"),
    ("ent.save", "保存", "Save"),
    (
        "ent.contact_saved",
        "联系方式已保存",
        "The contact data was saved",
    ),
    (
        "ent.contact_hidden",
        "联系方式仅对有权限的用户可见",
        "Contact data is visible to authorised users only",
    ),
    ("ent.found", "共找到", "Found"),
    ("ent.export_csv", "导出 CSV", "Export CSV"),
    ("ent.export_xlsx", "导出 Excel", "Export XLSX"),
    (
        "ent.export_note",
        "导出筛选出的全部企业，不只是本页",
        "Exports every enterprise the filter selects, not only this page",
    ),
    ("ent.added_value", "增加值", "Added value"),
    (
        "ent.digital_category",
        "数字经济分类",
        "Digital-economy category",
    ),
    ("ent.figures", "月度指标", "Monthly figures"),
    ("ent.no_figures", "暂无月度指标", "No monthly figures yet"),
    (
        "ent.figures_hidden",
        "企业月度指标仅对有权限的用户可见",
        "An enterprise's monthly figures are visible to authorised users only",
    ),
    ("ent.any", "全部", "any"),
    ("ent.none", "无", "none"),
    ("page.prev", "上一页", "Previous"),
    ("page.next", "下一页", "Next"),
    ("page.pages", "分页", "Pages"),
    ("page.of", "页，共", "of"),
    ("import.title", "指标数据导入", "Import indicators"),
    (
        "import.file",
        "选择 CSV 或 XLSX 文件",
        "Choose a CSV or XLSX file",
    ),
    (
        "import.accept_valid",
        "仅保存正确的行（默认：有错误则全部不保存）",
        "Store the good rows only (default: nothing is stored if any row is bad)",
    ),
    ("import.submit", "上传并导入", "Upload and import"),
    ("import.templates", "下载模板", "Templates"),
    (
        "import.long",
        "长表（每行一个企业×月份×指标）",
        "Long layout (one row per enterprise × month × indicator)",
    ),
    (
        "import.wide_month",
        "宽表（每月一列）",
        "Wide layout (one column per month)",
    ),
    (
        "import.wide_indicator",
        "宽表（每个指标一列）",
        "Wide layout (one column per indicator)",
    ),
    ("import.uploading", "正在导入……", "Importing ..."),
    ("import.report", "导入报告", "Import report"),
    ("import.history", "导入记录", "Import history"),
    ("import.by", "导入人", "By"),
    ("import.outcome", "结果", "Outcome"),
    ("import.refused", "已拒绝", "Refused"),
    ("import.none_yet", "还没有导入记录", "No imports yet"),
    ("import.stored", "已保存", "Stored"),
    ("import.not_stored", "未保存任何数据", "Nothing was stored"),
    ("import.rows_read", "读取行数", "Rows read"),
    ("import.rows_rejected", "错误行数", "Rows rejected"),
    ("import.values_accepted", "有效数值", "Values accepted"),
    (
        "import.values_changed",
        "新增或更新",
        "Values new or changed",
    ),
    ("import.line", "行号", "Line"),
    ("import.column", "列", "Column"),
    ("import.cell", "单元格", "Cell"),
    ("import.reason", "原因", "Reason"),
    ("import.download_report", "下载报告", "Download the report"),
    ("import.again", "再导入一个文件", "Import another file"),
    (
        "import.not_allowed",
        "当前账户无权导入指标数据",
        "This account may not import figures",
    ),
    ("import.failed", "导入失败", "The import failed"),
    (
        "import.map_title",
        "数字经济分类对照表（国民经济行业代码 → 数字经济大类）",
        "Digital-economy mapping (industry code → category)",
    ),
    (
        "import.map_shipped",
        "使用程序自带的对照表：本项目自拟的近似口径，并非国家统计局官方对照表",
        "The mapping shipped with chainpark is in force: the project's own approximation, not the NBS table",
    ),
    (
        "import.map_loaded",
        "使用已导入的对照表：",
        "In force: the table loaded from",
    ),
    ("import.map_rows", "个行业代码", "industry codes"),
    (
        "import.map_download",
        "下载对照表（CSV）",
        "Download the mapping (CSV)",
    ),
    (
        "import.map_how",
        "管理员可导入官方对照表：chainpark digital-map 文件 或 PUT /api/v1/digital-economy/map；未手工指定类别的企业随之重新归类",
        "The admin loads the official table with chainpark digital-map FILE or PUT /api/v1/digital-economy/map; enterprises whose category was not set by hand follow",
    ),
    (
        "import.more_errors",
        "仅保留前若干条问题（下载的报告相同），其余只计数",
        "Only the first problems are kept (the downloaded report has the same); the others are only counted",
    ),
    ("import.sheet", "工作表（可选）", "Worksheet (optional)"),
    (
        "import.sheet_hint",
        "默认读取第一个可见的工作表",
        "Default: the first visible worksheet",
    ),
    ("import.sheet_read", "读取的工作表", "Worksheet read"),
    (
        "import.other_sheets",
        "未读取的其他工作表",
        "Other worksheets, not read",
    ),
    ("import.hidden", "隐藏", "hidden"),
    ("error.title", "出错了", "Something went wrong"),
    (
        "error.not_found",
        "没有找到该页面或对象",
        "No such page or object",
    ),
    (
        "error.forbidden",
        "当前账户无权查看",
        "This account may not see this",
    ),
    (
        "error.internal",
        "服务器未能完成该请求，问题已记录",
        "The server could not complete the request; the problem has been logged",
    ),
    (
        "error.busy",
        "系统繁忙，本次操作未保存任何内容，请稍后重试",
        "The system is busy and nothing was saved; please try again in a moment",
    ),
    ("error.back", "返回首页", "Back to the start"),
    ("common.name", "名称", "Name"),
    ("common.code", "代码", "Code"),
    ("common.total", "合计", "Total"),
    ("common.none", "—", "—"),
    ("common.signed_in_as", "当前用户", "Signed in as"),
    (
        "common.figures_pending",
        "指标数据尚未导入",
        "No figures imported yet",
    ),
    (
        "project.planned",
        "计划投资（万元）",
        "Planned investment (10k CNY)",
    ),
    (
        "project.contracted",
        "合同投资（万元）",
        "Contracted investment (10k CNY)",
    ),
    (
        "project.completed",
        "完成投资（万元）",
        "Completed investment (10k CNY)",
    ),
    ("project.reached_on", "到达日期", "Reached on"),
    (
        "project.next_stage",
        "推进到下一阶段",
        "Move to the next stage",
    ),
    ("project.move", "推进", "Move"),
    ("project.new", "新建项目", "New project"),
    ("project.chain_id", "产业链", "Chain"),
    ("project.park_id", "园区", "Park"),
    (
        "project.chief_person_id",
        "责任链长",
        "Responsible chain chief",
    ),
    ("project.milestones", "节点计划", "Milestones"),
    ("project.due_on", "计划日期", "Due on"),
    ("project.done_on", "完成日期", "Done on"),
    ("project.add_milestone", "添加节点", "Add milestone"),
    (
        "project.record_investment",
        "填报月度完成投资",
        "Record a month's completed investment",
    ),
    ("project.month", "月份", "Month"),
    ("project.amount", "金额（万元）", "Amount (10k CNY)"),
    ("project.record", "填报", "Record"),
    ("rules.title", "诉求分派规则", "Appeal routing rules"),
    ("rules.chain_id", "产业链", "Chain"),
    ("rules.park_id", "园区", "Park"),
    ("rules.find_person", "查找指定人员", "Find the named person"),
    (
        "rules.person_id",
        "指定人员（分派给“指定人员”时必选）",
        "Named person (required when routed to a named person)",
    ),
    ("rules.target", "分派给", "Routed to"),
    ("rules.note", "备注", "Note"),
    ("rules.archived", "已归档", "Archived"),
    ("rules.archive", "归档", "Archive"),
    ("rules.new", "新增规则", "New rule"),
    ("rules.add", "添加", "Add"),
    ("rules.target.chain_task_force", "链办", "Chain task force"),
    ("rules.target.chain_chief", "链长", "Chain chief"),
    ("rules.target.park_chief", "园长", "Park chief"),
    ("rules.target.park_staff", "园区工作人员", "Park staff"),
    ("rules.target.person", "指定人员", "A named person"),
    (
        "transformation.title",
        "智能化改造",
        "Digital transformation",
    ),
    ("transformation.as_of", "截至日期", "As of"),
    (
        "transformation.completed_projects",
        "已完成改造项目",
        "Projects completed",
    ),
    (
        "transformation.under_way",
        "在建改造项目",
        "Projects under way",
    ),
    (
        "transformation.completed_investment",
        "完成投资（万元）",
        "Investment completed (10k CNY)",
    ),
    ("transformation.kind", "认定类型", "Kind"),
    (
        "transformation.kind.digital_workshop",
        "数字化车间",
        "Digital workshops",
    ),
    (
        "transformation.kind.intelligent_factory",
        "智能工厂",
        "Intelligent factories",
    ),
    (
        "transformation.projects",
        "改造项目",
        "Transformation projects",
    ),
    ("transformation.recognitions", "认定", "Recognitions"),
    ("transformation.enterprise", "企业", "Enterprise"),
    (
        "transformation.enterprise_id",
        "企业（查找后选择）",
        "Enterprise (find, then choose)",
    ),
    (
        "transformation.find_enterprise",
        "查找企业",
        "Find the enterprise",
    ),
    ("transformation.started_on", "开始日期", "Started on"),
    ("transformation.completed_on", "完成日期", "Completed on"),
    ("transformation.recognised_on", "认定日期", "Recognised on"),
    (
        "transformation.new_project",
        "新增改造项目",
        "New transformation project",
    ),
    (
        "transformation.new_recognition",
        "新增认定",
        "New recognition",
    ),
    (
        "transformation.cnc_rate_pct",
        "数控化率（%）",
        "CNC rate (%)",
    ),
    (
        "transformation.key_process_cnc_pct",
        "关键工序数控化率（%）",
        "Key-process CNC rate (%)",
    ),
    ("transformation.has_mes", "已部署MES", "Runs an MES"),
    (
        "transformation.cost_reduction_pct",
        "运营成本降低（%）",
        "Cost reduction (%)",
    ),
    (
        "transformation.efficiency_gain_pct",
        "生产效率提升（%）",
        "Efficiency gain (%)",
    ),
    (
        "transformation.defect_reduction_pct",
        "产品不良率降低（%）",
        "Defect reduction (%)",
    ),
    (
        "transformation.energy_gain_pct",
        "能源利用率提升（%）",
        "Energy efficiency gain (%)",
    ),
    (
        "transformation.workshop_ids",
        "所含数字化车间（智能工厂填写）",
        "Its recognised digital workshops (for a factory)",
    ),
    (
        "transformation.workshops_none",
        "先查找企业，再勾选其已认定的数字化车间。",
        "Find the enterprise first, then tick its recognised digital workshops.",
    ),
    (
        "ent.no_results",
        "没有找到符合条件的企业，请换个关键词或放宽筛选条件。",
        "No enterprise matches: try other words or fewer filters.",
    ),
    ("nav.menu", "菜单", "Menu"),
    ("projects.mine", "本人负责范围", "Within my remit"),
    ("project.mark_done", "标记完成", "Mark done"),
    // Alerts (预警) on the dashboard and the chiefs' landing pages.
    ("alerts.title", "预警", "Alerts"),
    ("alerts.none", "当前没有预警", "No alerts at present"),
    ("alerts.more", "另有预警条数：", "More alerts not listed:"),
    ("alerts.kind.appeal_overdue", "诉求逾期", "Appeal overdue"),
    ("alerts.kind.appeal_due_soon", "诉求临期", "Appeal due soon"),
    (
        "alerts.kind.milestone_overdue",
        "节点逾期",
        "Milestone overdue",
    ),
    ("alerts.kind.project_stalled", "项目停滞", "Project stalled"),
    ("alerts.kind.output_falling", "产值下滑", "Output falling"),
    ("alerts.kind.lease_expiring", "租约到期", "Lease ending"),
    ("alerts.kind.hazard_overdue", "隐患逾期", "Hazard overdue"),
    ("alerts.on.appeal_overdue", "时限", "due"),
    ("alerts.on.appeal_due_soon", "时限", "due"),
    ("alerts.on.milestone_overdue", "时限", "due"),
    ("alerts.on.project_stalled", "最近进展", "last progress"),
    (
        "alerts.on.output_falling",
        "连续三个月同比下降逾20%，截至",
        "down over 20 % y/y for 3 months to",
    ),
    ("assess.title", "亩均效益评价", "Per-mu evaluation"),
    ("assess.scheme", "评价方案", "Scheme"),
    ("assess.run", "评价批次", "Run"),
    ("assess.park", "园区", "Park"),
    ("assess.chain", "产业链", "Chain"),
    ("assess.all", "全部", "All"),
    ("assess.enterprise", "企业", "Enterprise"),
    ("assess.population", "评价对象", "Population"),
    ("assess.class", "类别", "Class"),
    ("assess.rank", "排名", "Rank"),
    ("assess.score", "得分", "Score"),
    (
        "assess.no_run",
        "尚未开展评价。",
        "No evaluation has been run yet.",
    ),
    ("assess.area", "评价面积（亩）", "Evaluated area (mu)"),
    ("assess.exemption", "不参评原因", "Why not graded"),
    ("assess.policy", "政策", "Policy"),
    ("assess.policies", "分类政策", "Policy by class"),
    ("assess.exemptions", "不参评企业", "Exempt firms"),
    (
        "assess.explanation",
        "各项得分",
        "How each point was computed",
    ),
    (
        "assess.formula",
        "得分 = 权重 × 指标值 ÷ 基准值，不超过封顶分；总分为各项之和。",
        "Points = weight × value ÷ benchmark, at most the cap; the score is the sum of the items.",
    ),
    ("assess.indicator", "指标", "Indicator"),
    ("assess.value", "指标值", "Value"),
    ("assess.benchmark", "基准值", "Benchmark"),
    ("assess.weight", "权重", "Weight"),
    ("assess.cap", "封顶分", "Cap"),
    ("assess.points", "得分", "Points"),
    ("assess.how", "计分方式", "How"),
    (
        "assess.how.scored",
        "按基准计分",
        "Scored against the benchmark",
    ),
    ("assess.how.capped", "达到封顶", "Held to the cap"),
    (
        "assess.how.negative",
        "负值不得分",
        "A negative value scores nothing",
    ),
    (
        "assess.how.missing_zero",
        "缺数据，记零分",
        "No data: no points",
    ),
    (
        "assess.how.missing_average",
        "缺数据，取平均分",
        "No data: the population's average",
    ),
    (
        "assess.in_use",
        "已使用（不可修改）",
        "Used by a run (never changed)",
    ),
    ("assess.not_used", "未使用", "Not used yet"),
    ("assess.plot_ratio", "容积率折算", "Plot ratio"),
    ("assess.per", "计算口径", "Per"),
    ("assess.per.mu", "每亩", "per mu"),
    ("assess.per.person", "每人", "per person"),
    ("assess.per.tce", "每吨标煤", "per tce"),
    ("assess.average", "本年平均值", "this year's average"),
    (
        "assess.average_last_year",
        "上年平均值",
        "last year's average",
    ),
    ("dist.title", "区域分布图", "Regional distribution"),
    (
        "dist.intro",
        "本链企业在各园区的分布，按一级环节着色；一家企业在同一一级环节下只计一次",
        "The chain's firms in the parks, coloured by top-level segment; a firm counts once per top-level segment",
    ),
    (
        "dist.per_park",
        "各园区企业数（按一级环节）",
        "Firms per park, by top-level segment",
    ),
    ("dist.firms", "企业数", "Firms"),
    ("dist.outside", "园区外", "Outside the parks"),
    ("dist.link", "区域分布图", "Distribution"),
    ("plan.title", "地块分布", "Land parcels"),
    (
        "plan.coloured_by",
        "按权利人亩均效益评价分类着色：",
        "Coloured by the holder's per-mu evaluation class:",
    ),
    (
        "plan.no_run",
        "尚无评价，地块未按分类着色。",
        "No evaluation yet: parcels are not coloured by class.",
    ),
    ("plan.not_evaluated", "未评价", "Not evaluated"),
    ("plan.no_holder", "无权利人", "No holder"),
    (
        "land.title",
        "地块与租赁导入",
        "Land parcels and leases import",
    ),
    (
        "land.how",
        "上传地块或标准厂房租赁文件（CSV 或 XLSX）。任何一行有误则整个文件不保存，并列出每个错误的行号、列和原因；地块编号或合同编号已有的行按起始日期记录变更。",
        "Upload a parcel or factory-lease file (CSV or XLSX). A file with any bad row stores nothing and lists every problem's line, column and reason; a row whose parcel code or contract number is known records a change from its start date.",
    ),
    ("land.kind", "文件类型", "File kind"),
    ("land.parcels", "地块", "Land parcels"),
    ("land.leases", "标准厂房租赁", "Factory-space leases"),
    (
        "land.not_allowed",
        "只有管理员和园区的园长、园区工作人员可以导入地块与租赁。",
        "Only the admin and a park's chief and staff import parcels and leases.",
    ),
    ("land.created", "新增", "Created"),
    ("land.changed", "变更", "Changed"),
    ("land.unchanged", "未变", "Unchanged"),
    ("land.bad_rows", "处错误", "problems"),
    (
        "land.columns_how",
        "列名可用中文或英文；* 为必填。面积最多两位小数；日期写作 2022-01-01；轮廓为 GeoJSON 多边形（经度、纬度）。",
        "Column names in Chinese or English; * required. Areas with at most two decimals; dates as 2022-01-01; the outline a GeoJSON Polygon (longitude, latitude).",
    ),
    ("land.no_file", "请选择一个文件", "choose a file"),
    ("land.link", "导入地块与租赁", "Import parcels and leases"),
    ("score.title", "链长园长考核", "Chiefs' scorecards"),
    ("score.peers", "考核对象", "Whose cards"),
    ("score.chains", "产业链（链长）", "Chains (chain chiefs)"),
    ("score.parks", "园区（园长）", "Parks (park chiefs)"),
    ("score.period", "期间", "Period"),
    ("score.name", "名称", "Name"),
    ("score.total", "总分", "Total"),
    (
        "score.method",
        "各项按功效系数法计分：60 + 40 ×（值 − 最小值）÷（最大值 − 最小值），再按权重加权。",
        "Each item is scored by the efficacy-coefficient method, 60 + 40 × (x − min) ÷ (max − min), then weighted.",
    ),
    (
        "score.ranking_only",
        "仅显示总分和排名",
        "Total and rank only",
    ),
    ("score.how.scaled", "功效系数法", "Efficacy coefficient"),
    (
        "score.how.all_equal",
        "各方相同，记满分",
        "All peers equal: full marks",
    ),
    ("score.how.no_data", "无数据，记60分", "No data: 60"),
    ("nav.assessment", "亩均评价", "Per-mu evaluation"),
    ("nav.scorecards", "考核", "Scorecards"),
    ("alerts.on.lease_expiring", "租约到期日", "lease ends"),
    ("alerts.on.hazard_overdue", "整改期限", "deadline"),
];

/// The texts of forms: their errors, pickers and the appeal loop's later steps.
pub const FORM_TEXTS: &[(&str, &str, &str)] = &[
    (
        "form.errors",
        "请修改下面标出的项目后重新提交",
        "Please correct the fields marked below and send again",
    ),
    (
        "form.check",
        "填写有误，请检查此项",
        "Please check this field",
    ),
    ("form.required", "请填写此项", "Required"),
    (
        "form.percent",
        "请填写 0 到 100 之间的整数",
        "A whole number from 0 to 100",
    ),
    (
        "form.weight_above_zero",
        "至少一项权重须大于 0",
        "At least one weight must be above 0",
    ),
    (
        "form.too_long",
        "不能超过 {n} 个字",
        "At most {n} characters",
    ),
    ("form.number", "请填写数字", "Must be a number"),
    (
        "form.too_short",
        "至少 {n} 个字符",
        "At least {n} characters",
    ),
    (
        "form.username",
        "须为 3 到 64 个字母、数字或 . _ -",
        "3 to 64 letters, digits, '.', '_' or '-'",
    ),
    (
        "form.username_taken",
        "该用户名已被使用",
        "This username is taken",
    ),
    (
        "form.needs_person",
        "该角色须选择对应的人员",
        "This role needs the person whose posts give its scope",
    ),
    (
        "role.enterprise_contact",
        "企业联系人",
        "Enterprise contact",
    ),
    ("form.rating", "请选择 1 到 5 分", "Choose 1 to 5"),
    (
        "form.reply",
        "请填写给企业的答复",
        "Write the reply to the enterprise",
    ),
    (
        "form.call_back",
        "请填写回访情况",
        "Say what the call-back found",
    ),
    (
        "form.still_wrong",
        "请说明仍未解决的问题",
        "Say what is still not solved",
    ),
    (
        "form.rated_already",
        "这次答复已经评价过，不能再次评价",
        "This answer has been rated already",
    ),
    (
        "form.reopen_late",
        "已超过重新办理期限，请另行提交诉求",
        "The time to re-open has passed; file a new appeal",
    ),
    (
        "form.no_post",
        "此人不在该诉求所属的产业链或园区任职",
        "This person holds no post of the appeal's chain or park",
    ),
    (
        "form.missing",
        "所选对象不存在",
        "The chosen item does not exist",
    ),
    (
        "form.archived",
        "所选对象已归档",
        "The chosen item is archived",
    ),
    ("form.negative", "不能为负数", "Cannot be negative"),
    (
        "form.url_or_text",
        "请填写网址或全文",
        "Give the web address or the text",
    ),
    (
        "form.web_address",
        "网址须以 http:// 或 https:// 开头，且不含空格",
        "Must begin with http:// or https:// and contain no spaces",
    ),
    (
        "form.email",
        "请填写有效的电子邮箱地址",
        "Give an e-mail address",
    ),
    (
        "form.date",
        "请填写日期（年-月-日）",
        "Give a date (YYYY-MM-DD)",
    ),
    (
        "form.stale",
        "该记录已被他人更新，请查看最新情况后重新操作",
        "Someone changed this meanwhile; look at it again and decide",
    ),
    ("form.choose", "— 请选择 —", "— choose —"),
    ("form.separator", "；", "; "),
    ("form.none", "（不指定）", "(none)"),
    ("form.optional", "选填", "optional"),
    ("picker.search", "查找", "Find"),
    (
        "picker.person_hint",
        "输入姓名或职务查找，再从结果中选择",
        "Type a name or post to find the person, then choose",
    ),
    (
        "picker.enterprise_hint",
        "输入企业名称或统一社会信用代码查找，再从结果中选择",
        "Type a firm's name or credit code to find it, then choose",
    ),
    ("picker.no_match", "没有找到匹配的结果", "Nothing matches"),
    ("picker.found", "查找结果", "Found"),
    ("appeal.action.reopen", "申请重新办理", "Re-open"),
    (
        "appeal.reopen_reason",
        "仍未解决的问题",
        "What is still not solved",
    ),
    (
        "appeal.reopen_until",
        "可申请重新办理至",
        "May be re-opened until",
    ),
    ("appeal.assigned_to", "交办给", "assigned to"),
    ("appeal.reassign", "改派", "Reassign"),
    (
        "appeal.rated_once",
        "每次答复只能评价一次",
        "Each answer is rated once",
    ),
    ("error.back_to", "返回", "Back to"),
    (
        "error.nav_hint",
        "可以从上方导航继续",
        "Carry on from the navigation above",
    ),
];

/// Whether a text holds Chinese characters (CJK ideographs, their punctuation or full-width forms).
pub fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(c, '\u{3000}'..='\u{303f}' | '\u{3400}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{ff00}'..='\u{ffef}')
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn accept_language_picks_the_preferred_of_chinese_and_english() {
        assert_eq!(
            from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(
            from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Some(Lang::Zh)
        );
        assert_eq!(
            from_accept_language("de-DE,en;q=0.5,zh;q=0.7"),
            Some(Lang::Zh)
        );
        assert_eq!(from_accept_language("fr"), None);
    }

    #[test]
    fn lang_in_the_query_beats_cookie_and_header() {
        let mut headers = HeaderMap::new();
        headers.insert("accept-language", HeaderValue::from_static("en"));
        headers.insert("cookie", HeaderValue::from_static("chainpark_lang=en"));
        assert_eq!(Lang::negotiate(Some("q=x&lang=zh"), &headers), Lang::Zh);
        assert_eq!(Lang::negotiate(None, &headers), Lang::En);
        assert_eq!(Lang::negotiate(None, &HeaderMap::new()), Lang::Zh);
    }

    #[test]
    fn every_text_used_by_a_template_or_handler_has_both_languages() {
        let mut used = Vec::new();
        let dirs = [
            concat!(env!("CARGO_MANIFEST_DIR"), "/templates"),
            concat!(env!("CARGO_MANIFEST_DIR"), "/src/ui"),
        ];
        for dir in dirs {
            for entry in std::fs::read_dir(dir).expect("folder").flatten() {
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                for part in text.split(".t(\"").skip(1) {
                    if let Some((key, _)) = part.split_once('"')
                        && key.contains('.')
                        && !key.contains(' ')
                    {
                        used.push(key.to_string());
                    }
                }
            }
        }
        assert!(used.len() > 20, "found the texts in use");
        for key in used {
            assert!(
                TEXTS
                    .iter()
                    .chain(FORM_TEXTS)
                    .any(|(k, zh, en)| *k == key && !zh.is_empty() && !en.is_empty()),
                "text {key} is missing from the table"
            );
        }
        let mut keys: Vec<_> = TEXTS.iter().chain(FORM_TEXTS).map(|(k, _, _)| *k).collect();
        keys.sort_unstable();
        let before = keys.len();
        keys.dedup();
        assert_eq!(before, keys.len(), "a text key is listed twice");
    }
}
