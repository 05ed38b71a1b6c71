-- Economic figures: the indicator catalogue, monthly values per enterprise with their revision history, imports,
-- region figures, each enterprise's digital-economy category, and the aggregate tables that roll-ups read.
-- Money is kept in integer hundredths of the base unit (fen), months as the integer yyyymm.

CREATE TABLE indicators (
    id             INTEGER PRIMARY KEY,
    code           TEXT NOT NULL UNIQUE,
    name_zh        TEXT NOT NULL,
    name_en        TEXT NOT NULL DEFAULT '',
    unit           TEXT NOT NULL CHECK (unit IN ('yuan', 'person', 'tonne_coal_equivalent', 'kilowatt_hour', 'count')),
    aggregation    TEXT NOT NULL CHECK (aggregation IN ('sum', 'last')),
    allow_negative BOOLEAN NOT NULL,
    -- Further names a spreadsheet may use, one per line.
    aliases        TEXT NOT NULL DEFAULT '',
    builtin        BOOLEAN NOT NULL DEFAULT FALSE
);

-- The indicators of DOMAIN.md §3, with the names the import crate's default catalogue knows.
INSERT INTO indicators (id, code, name_zh, name_en, unit, aggregation, allow_negative, aliases, builtin) VALUES
 (1, 'added_value', '增加值', 'Added value', 'yuan', 'sum', TRUE, '工业增加值
value added
industrial added value', TRUE),
 (2, 'gross_output', '工业总产值', 'Gross output', 'yuan', 'sum', TRUE, '总产值
gross output value
gross industrial output
output value', TRUE),
 (3, 'operating_revenue', '营业收入', 'Operating revenue', 'yuan', 'sum', TRUE, '营收
revenue
operating income', TRUE),
 (4, 'profit', '利润总额', 'Total profit', 'yuan', 'sum', TRUE, '利润
profit total
profits', TRUE),
 (5, 'tax', '税金', 'Tax', 'yuan', 'sum', TRUE, '税收
实缴税金
税金总额
纳税额
taxes
tax paid
taxes paid', TRUE),
 (6, 'employees', '从业人员', 'Employees', 'person', 'last', FALSE, '从业人员期末人数
从业人数
从业人员数
期末从业人员
用工人数
number of employees
headcount', TRUE),
 (7, 'rd_spending', '研发经费', 'R&D spending', 'yuan', 'sum', TRUE, 'R&D经费
研发投入
研发费用
研究与试验发展经费
R&D expenditure
research and development spending', TRUE),
 (8, 'fixed_asset_investment', '固定资产投资', 'Fixed-asset investment', 'yuan', 'sum', TRUE, '固投
固定资产投资额
fixed asset investment', TRUE),
 (9, 'energy_use', '综合能源消费量', 'Energy use', 'tonne_coal_equivalent', 'sum', FALSE, '综合能耗
能源消费量
能耗
energy consumption
comprehensive energy consumption', TRUE);

-- One row per import attempt, stored or not, with its report (JSON text) for download.
CREATE TABLE figure_imports (
    id               INTEGER PRIMARY KEY,
    at               TEXT NOT NULL,
    actor            TEXT NOT NULL,
    file_name        TEXT NOT NULL,
    stored           BOOLEAN NOT NULL DEFAULT FALSE,
    values_received  INTEGER NOT NULL DEFAULT 0,
    values_changed   INTEGER NOT NULL DEFAULT 0,
    values_unchanged INTEGER NOT NULL DEFAULT 0,
    report           TEXT NOT NULL DEFAULT '{}'
);

-- The current value of each enterprise × indicator × month, clustered by enterprise: files come enterprise by
-- enterprise, and roll-ups read the aggregates, not this table.
CREATE TABLE figure_values (
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    indicator_id  INTEGER NOT NULL REFERENCES indicators(id),
    month         INTEGER NOT NULL,
    value         INTEGER NOT NULL,
    recorded_at   TEXT NOT NULL,
    import_id     INTEGER,
    PRIMARY KEY (enterprise_id, indicator_id, month)
) WITHOUT ROWID;

-- Values that were replaced by a re-reported one: readable "as of" any instant in [recorded_at, superseded_at).
CREATE TABLE figure_history (
    enterprise_id INTEGER NOT NULL,
    indicator_id  INTEGER NOT NULL,
    month         INTEGER NOT NULL,
    value         INTEGER NOT NULL,
    recorded_at   TEXT NOT NULL,
    import_id     INTEGER,
    superseded_at TEXT NOT NULL,
    superseded_by INTEGER
);
CREATE INDEX figure_history_key ON figure_history (enterprise_id, indicator_id, month);

-- The NBS 2021 digital-economy category of each enterprise: derived from its industry code, or set by hand.
CREATE TABLE enterprise_digital_categories (
    enterprise_id INTEGER PRIMARY KEY REFERENCES enterprises(id),
    category      TEXT CHECK (category IN ('01', '02', '03', '04', '05')),
    industry_code TEXT NOT NULL,
    overridden    BOOLEAN NOT NULL DEFAULT FALSE
);

-- Which groups of each dimension an enterprise counted in when the aggregates were last brought up to date.
CREATE TABLE figure_group_members (
    dimension     TEXT NOT NULL,
    group_id      INTEGER NOT NULL,
    enterprise_id INTEGER NOT NULL,
    PRIMARY KEY (dimension, group_id, enterprise_id)
) WITHOUT ROWID;
CREATE INDEX figure_group_members_enterprise ON figure_group_members (enterprise_id);

-- Sums of the current values by dimension × group × indicator × month, kept up to date by every import.
CREATE TABLE figure_aggregates (
    dimension    TEXT NOT NULL,
    indicator_id INTEGER NOT NULL,
    month        INTEGER NOT NULL,
    group_id     INTEGER NOT NULL,
    value        INTEGER NOT NULL,
    firms        INTEGER NOT NULL,
    PRIMARY KEY (dimension, indicator_id, month, group_id)
) WITHOUT ROWID;

-- Totals of regions outside the zone (Chongqing city: 500000), as published, for shares.
CREATE TABLE region_figures (
    region_code  TEXT NOT NULL,
    subject      TEXT NOT NULL CHECK (subject IN ('all', 'digital_economy')),
    indicator_id INTEGER NOT NULL REFERENCES indicators(id),
    period       TEXT NOT NULL,
    value        INTEGER NOT NULL,
    source       TEXT NOT NULL DEFAULT '',
    recorded_at  TEXT NOT NULL,
    PRIMARY KEY (region_code, subject, indicator_id, period)
);
