-- Sales prices, stock positions, sales orders and item extra fields (issue #6).
-- Each keeps the full attribute JSON (LZ4, as in migration 7) beside the columns that the
-- item and customer details read; every lookup below is by item, account or order.

CREATE TABLE sales_item_prices (
    division INTEGER NOT NULL,
    id TEXT NOT NULL,
    item TEXT,
    -- Empty for a general price; the customer for a price agreement.
    account TEXT,
    account_name TEXT,
    price REAL,
    currency TEXT,
    -- The minimum quantity the price applies from (quantity breaks).
    quantity REAL,
    unit TEXT,
    unit_description TEXT,
    start_ms INTEGER,
    end_ms INTEGER,
    timestamp INTEGER,
    attributes BLOB NOT NULL,
    seen_generation INTEGER,
    PRIMARY KEY (division, id)
);
CREATE INDEX sales_item_prices_by_item ON sales_item_prices (division, item);
CREATE INDEX sales_item_prices_by_account ON sales_item_prices (division, account)
    WHERE account IS NOT NULL;

CREATE TABLE stock_positions (
    division INTEGER NOT NULL,
    id TEXT NOT NULL,
    item TEXT,
    warehouse TEXT,
    warehouse_code TEXT,
    warehouse_description TEXT,
    current_stock REAL,
    free_stock REAL,
    reserved_stock REAL,
    planning_in REAL,
    planning_out REAL,
    projected_stock REAL,
    unit_code TEXT,
    timestamp INTEGER,
    attributes BLOB NOT NULL,
    seen_generation INTEGER,
    PRIMARY KEY (division, id)
);
CREATE INDEX stock_positions_by_item ON stock_positions (division, item);

CREATE TABLE sales_order_headers (
    division INTEGER NOT NULL,
    id TEXT NOT NULL,
    order_number INTEGER,
    order_date_ms INTEGER,
    ordered_by TEXT,
    ordered_by_name TEXT,
    description TEXT,
    currency TEXT,
    amount REAL,
    amount_excl_vat REAL,
    status INTEGER,
    status_description TEXT,
    delivery_date_ms INTEGER,
    your_ref TEXT,
    timestamp INTEGER,
    attributes BLOB NOT NULL,
    seen_generation INTEGER,
    PRIMARY KEY (division, id)
);
CREATE INDEX sales_order_headers_by_customer
    ON sales_order_headers (division, ordered_by, order_date_ms);

CREATE TABLE sales_order_lines (
    division INTEGER NOT NULL,
    id TEXT NOT NULL,
    order_id TEXT,
    line_number INTEGER,
    item TEXT,
    item_code TEXT,
    item_description TEXT,
    description TEXT,
    quantity REAL,
    unit_code TEXT,
    unit_price REAL,
    net_price REAL,
    amount REAL,
    delivery_date_ms INTEGER,
    timestamp INTEGER,
    attributes BLOB NOT NULL,
    seen_generation INTEGER,
    PRIMARY KEY (division, id)
);
CREATE INDEX sales_order_lines_by_order ON sales_order_lines (division, order_id, line_number);
CREATE INDEX sales_order_lines_by_item ON sales_order_lines (division, item);

-- Extra fields have no ID of their own: the key is "<item guid>/<number>" (see extra_fields.rs).
CREATE TABLE item_extra_fields (
    division INTEGER NOT NULL,
    id TEXT NOT NULL,
    item TEXT NOT NULL,
    number INTEGER NOT NULL,
    description TEXT,
    value TEXT,
    modified_ms INTEGER,
    timestamp INTEGER,
    attributes BLOB NOT NULL,
    seen_generation INTEGER,
    PRIMARY KEY (division, id)
);
CREATE INDEX item_extra_fields_by_item ON item_extra_fields (division, item, number);
