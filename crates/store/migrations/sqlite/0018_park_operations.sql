-- Park operations (issue 17): meters, their readings and the roll-ups kept on write, alarms on readings, and the
-- conversion factors of energy into tonnes of coal equivalent. Amounts are integer thousandths of the medium's
-- unit; reading instants and hour buckets are Unix seconds, days yyyymmdd and months yyyymm (China calendar), so
-- that both engines compare and sum plain integers.

CREATE TABLE meters (
    id             INTEGER PRIMARY KEY,
    -- Unique in the zone: the last level of the MQTT topic park/{park code}/meter/{code}.
    code           TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    park_id        INTEGER NOT NULL REFERENCES parks(id),
    location       TEXT NOT NULL DEFAULT '',
    enterprise_id  INTEGER REFERENCES enterprises(id),
    medium         TEXT NOT NULL CHECK (medium IN ('electricity', 'water', 'gas', 'heat')),
    multiplier     INTEGER NOT NULL CHECK (multiplier BETWEEN 1 AND 1000000),
    -- A virtual meter's formula (other meters' codes joined by + and -); empty for a real meter.
    formula        TEXT NOT NULL DEFAULT '',
    no_data_hours  INTEGER,
    night_flow_min INTEGER,
    jump_max       INTEGER,
    archived       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX meters_park ON meters(park_id);
CREATE INDEX meters_enterprise ON meters(enterprise_id);

-- One reading: the amount (before the multiplier) measured in the interval ending at t. The key makes a reading
-- sent twice (MQTT delivers at least once) one row.
CREATE TABLE meter_readings (
    meter_id INTEGER NOT NULL REFERENCES meters(id),
    t        INTEGER NOT NULL,
    value    INTEGER NOT NULL CHECK (value >= 0),
    PRIMARY KEY (meter_id, t)
) WITHOUT ROWID;

-- The roll-ups, kept on write in the transaction that inserts the readings: per meter, grain and period, the sum
-- of the amounts times the multiplier and the number of readings.
CREATE TABLE meter_rollups (
    meter_id INTEGER NOT NULL REFERENCES meters(id),
    grain    TEXT NOT NULL CHECK (grain IN ('hour', 'day', 'month')),
    bucket   INTEGER NOT NULL,
    amount   INTEGER NOT NULL,
    readings INTEGER NOT NULL,
    PRIMARY KEY (meter_id, grain, bucket)
) WITHOUT ROWID;

-- An alarm is one incident: at most one open per meter and rule. It becomes one work order in the meter's park.
CREATE TABLE meter_alarms (
    id            INTEGER PRIMARY KEY,
    meter_id      INTEGER NOT NULL REFERENCES meters(id),
    rule          TEXT NOT NULL CHECK (rule IN ('no_data', 'night_flow', 'jump')),
    started_at    TEXT NOT NULL,
    raised_at     TEXT NOT NULL,
    detail        TEXT NOT NULL,
    ended_at      TEXT,
    work_order_id INTEGER REFERENCES work_orders(id)
);
CREATE UNIQUE INDEX meter_alarms_one_open ON meter_alarms(meter_id, rule) WHERE ended_at IS NULL;
CREATE INDEX meter_alarms_meter ON meter_alarms(meter_id, started_at);

-- Energy conversion factors, in millionths of a kgce per unit of the medium. Seeded with the reference values of
-- GB/T 2589-2020 (电力当量值 0.1229 kgce/kWh; 天然气 1.2143 kgce/m³; 热力 0.03412 kgce/MJ; 新水 0.0857 kgce/t, taken
-- per m³); the admin may change them.
CREATE TABLE energy_factors (
    medium              TEXT PRIMARY KEY CHECK (medium IN ('electricity', 'water', 'gas', 'heat')),
    micro_kgce_per_unit INTEGER NOT NULL CHECK (micro_kgce_per_unit >= 0),
    source              TEXT NOT NULL
);
INSERT INTO energy_factors (medium, micro_kgce_per_unit, source) VALUES
 ('electricity', 122900, 'GB/T 2589-2020, electricity, equivalent value'),
 ('gas', 1214300, 'GB/T 2589-2020, natural gas'),
 ('heat', 34120000, 'GB/T 2589-2020, heat (0.03412 kgce/MJ)'),
 ('water', 85700, 'GB/T 2589-2020, fresh water (energy-consuming medium)');
