//! Migrations, applied in order at open (tracked in `user_version`).

use rusqlite_migration::{M, Migrations};

/// Apply every migration not yet applied.
pub fn migrate(conn: &mut rusqlite::Connection) -> anyhow::Result<()> {
    let migrations = Migrations::new(vec![
        M::up(
            r#"
        CREATE TABLE namespaces (
            name TEXT PRIMARY KEY,
            data TEXT NOT NULL
        );
        CREATE TABLE credentials (
            name TEXT PRIMARY KEY,
            adapter TEXT NOT NULL,
            data TEXT NOT NULL,
            sealed BLOB NOT NULL
        );
        CREATE TABLE connections (
            name TEXT PRIMARY KEY,
            adapter TEXT NOT NULL,
            credential TEXT NOT NULL REFERENCES credentials(name),
            data TEXT NOT NULL
        );
        -- vnets, security groups, key pairs: one table, told apart by kind.
        CREATE TABLE resources (
            kind TEXT NOT NULL,
            ns TEXT NOT NULL REFERENCES namespaces(name),
            name TEXT NOT NULL,
            connection TEXT NOT NULL REFERENCES connections(name),
            data TEXT NOT NULL,
            PRIMARY KEY (kind, ns, name)
        );
        CREATE TABLE vms (
            ns TEXT NOT NULL REFERENCES namespaces(name),
            name TEXT NOT NULL,
            connection TEXT NOT NULL REFERENCES connections(name),
            csp_id TEXT NOT NULL,
            status TEXT NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (ns, name)
        );
        CREATE INDEX vms_by_status ON vms(status);
        "#,
        ),
        // Adapter versions uploaded at runtime, and each adapter's activation state.
        M::up(
            r#"
        CREATE TABLE adapter_versions (
            name TEXT NOT NULL,
            version TEXT NOT NULL,
            digest TEXT NOT NULL,
            file TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (name, version)
        );
        CREATE TABLE adapter_state (
            name TEXT PRIMARY KEY,
            data TEXT NOT NULL
        );
        "#,
        ),
        // MCIS: the groups, their VMs (rows of `vms` with an `mcis`), and the
        // journal of operations; `next_poll_at` schedules status refreshes.
        M::up(
            r#"
        ALTER TABLE vms ADD COLUMN mcis TEXT;
        ALTER TABLE vms ADD COLUMN op_id TEXT;
        ALTER TABLE vms ADD COLUMN next_poll_at INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX vms_by_mcis ON vms(ns, mcis);
        CREATE INDEX vms_by_op ON vms(ns, op_id);
        CREATE INDEX vms_by_poll ON vms(next_poll_at);
        CREATE TABLE mcis (
            ns TEXT NOT NULL REFERENCES namespaces(name),
            name TEXT NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (ns, name)
        );
        CREATE TABLE operations (
            id TEXT PRIMARY KEY,
            ns TEXT NOT NULL,
            mcis TEXT NOT NULL,
            state TEXT NOT NULL,
            created_at TEXT NOT NULL,
            data TEXT NOT NULL
        );
        CREATE INDEX operations_by_state ON operations(state);
        CREATE INDEX operations_by_mcis ON operations(ns, mcis);
        "#,
        ),
    ]);
    migrations.to_latest(conn)?;
    Ok(())
}
