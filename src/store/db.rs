//! One connection type over the two engines the ledger runs on: SQLite (embedded, the
//! default) and PostgreSQL (for several daemons sharing one ledger). The store's queries are
//! written once, in SQLite's dialect with `?N` parameters; on PostgreSQL each is rewritten
//! once when first prepared ([`pg_dialect`]) and kept prepared.
//!
//! The API follows rusqlite's shape (prepare, query_map, query_row, execute, transaction),
//! so the store reads like the SQLite code it was, and values cross it as a small [`Value`]
//! set: integers, reals, text, bytes and NULL.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

use postgres::types::{IsNull, Type};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// Not a `source`: its message is already whole, and a chain would repeat it.
    #[error("{}", pg_message(.0))]
    Postgres(postgres::Error),
    #[error("column {column}: expected {wanted}, found {found}")]
    Type { column: usize, wanted: &'static str, found: String },
    #[error("the query returned no rows")]
    NoRows,
    #[error("the connection to PostgreSQL was lost during a transaction, which was not committed")]
    Lost,
    /// PostgreSQL refused a statement: a bug in its rewriting, or a schema not ours.
    #[error("{} in: {sql}", pg_message(.error))]
    Prepare { sql: String, error: postgres::Error },
}

impl Error {
    /// SQLite's primary error code, for telling a damaged file from other errors.
    pub fn sqlite_code(&self) -> Option<rusqlite::ErrorCode> {
        match self {
            Error::Sqlite(e) => e.sqlite_error_code(),
            _ => None,
        }
    }
}

impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Error {
        Error::Postgres(e)
    }
}

/// PostgreSQL's own message with its detail, rather than the client's "db error".
fn pg_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{}: {} ({detail})", db.severity(), db.message()),
            None => format!("{}: {}", db.severity(), db.message()),
        },
        // The driver's own words ("error performing TLS handshake") with their causes
        // ("invalid peer certificate: UnknownIssuer"), each said once.
        None => {
            let mut message = e.to_string();
            let mut cause = std::error::Error::source(e);
            while let Some(c) = cause {
                let said = c.to_string();
                if !message.ends_with(&said) {
                    message = format!("{message}: {said}");
                }
                cause = c.source();
            }
            message
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `query_row(..).optional()`: no row is `None`, as rusqlite's extension does.
pub trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(Error::NoRows | Error::Sqlite(rusqlite::Error::QueryReturnedNoRows)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// The channel daemons sharing a PostgreSQL ledger are told of its changes on.
pub const CHANGED_CHANNEL: &str = "sanctiond_ledger";

/// The advisory lock key of planning and merging on PostgreSQL ("SANCTIOD" in ASCII).
const LEDGER_LOCK: i64 = 0x5341_4e43_5449_4f44;

/// A value bound to a parameter, borrowed from the caller.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

pub trait ToSql {
    fn to_value(&self) -> Value<'_>;
}

macro_rules! int_to_sql {
    ($($t:ty),*) => {$(
        impl ToSql for $t {
            fn to_value(&self) -> Value<'_> {
                Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
            }
        }
    )*};
}
int_to_sql!(i64, i32, u32, u16, u8, usize, u64);

impl ToSql for bool {
    fn to_value(&self) -> Value<'_> {
        Value::Int(i64::from(*self))
    }
}

impl ToSql for f64 {
    fn to_value(&self) -> Value<'_> {
        Value::Real(*self)
    }
}

impl ToSql for str {
    fn to_value(&self) -> Value<'_> {
        Value::Text(self)
    }
}

impl ToSql for String {
    fn to_value(&self) -> Value<'_> {
        Value::Text(self)
    }
}

impl ToSql for [u8] {
    fn to_value(&self) -> Value<'_> {
        Value::Blob(self)
    }
}

impl ToSql for Vec<u8> {
    fn to_value(&self) -> Value<'_> {
        Value::Blob(self)
    }
}

impl<T: ToSql + ?Sized> ToSql for &T {
    fn to_value(&self) -> Value<'_> {
        (**self).to_value()
    }
}

impl<T: ToSql> ToSql for Option<T> {
    fn to_value(&self) -> Value<'_> {
        self.as_ref().map_or(Value::Null, ToSql::to_value)
    }
}

/// The parameters of one statement: `params![a, b]`, an array of one type, or `[]`.
pub trait Params {
    fn values(&self) -> Vec<Value<'_>>;
}

impl Params for [&dyn ToSql] {
    fn values(&self) -> Vec<Value<'_>> {
        self.iter().map(|v| v.to_value()).collect()
    }
}

impl Params for () {
    fn values(&self) -> Vec<Value<'_>> {
        Vec::new()
    }
}

impl<T: ToSql, const N: usize> Params for [T; N] {
    fn values(&self) -> Vec<Value<'_>> {
        self.iter().map(ToSql::to_value).collect()
    }
}

impl<P: Params + ?Sized> Params for &P {
    fn values(&self) -> Vec<Value<'_>> {
        (**self).values()
    }
}

/// `params![a, b, c]`: a list of values of different types.
macro_rules! params {
    () => { &[] as &[&dyn $crate::store::db::ToSql] };
    ($($x:expr),+ $(,)?) => { &[$(&$x as &dyn $crate::store::db::ToSql),+] as &[&dyn $crate::store::db::ToSql] };
}
pub(crate) use params;

/// A value read from a row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

impl Cell<'_> {
    fn kind(&self) -> &'static str {
        match self {
            Cell::Null => "NULL",
            Cell::Int(_) => "an integer",
            Cell::Real(_) => "a real",
            Cell::Text(_) => "text",
            Cell::Blob(_) => "bytes",
        }
    }
}

pub trait FromSql: Sized {
    const WANTED: &'static str;
    fn from_cell(cell: Cell<'_>) -> Option<Self>;
}

impl FromSql for i64 {
    const WANTED: &'static str = "an integer";
    fn from_cell(cell: Cell<'_>) -> Option<Self> {
        match cell {
            Cell::Int(i) => Some(i),
            _ => None,
        }
    }
}

macro_rules! int_from_sql {
    ($($t:ty),*) => {$(
        impl FromSql for $t {
            const WANTED: &'static str = "an integer in range";
            fn from_cell(cell: Cell<'_>) -> Option<Self> {
                match cell {
                    Cell::Int(i) => <$t>::try_from(i).ok(),
                    _ => None,
                }
            }
        }
    )*};
}
int_from_sql!(i32, u32, u16, u8, usize, u64);

impl FromSql for bool {
    const WANTED: &'static str = "a boolean";
    fn from_cell(cell: Cell<'_>) -> Option<Self> {
        match cell {
            Cell::Int(i) => Some(i != 0),
            _ => None,
        }
    }
}

impl FromSql for f64 {
    const WANTED: &'static str = "a number";
    fn from_cell(cell: Cell<'_>) -> Option<Self> {
        match cell {
            Cell::Real(f) => Some(f),
            #[allow(clippy::cast_precision_loss)]
            Cell::Int(i) => Some(i as f64),
            _ => None,
        }
    }
}

impl FromSql for String {
    const WANTED: &'static str = "text";
    fn from_cell(cell: Cell<'_>) -> Option<Self> {
        match cell {
            Cell::Text(s) => Some(s.to_owned()),
            _ => None,
        }
    }
}

impl FromSql for Vec<u8> {
    const WANTED: &'static str = "bytes";
    fn from_cell(cell: Cell<'_>) -> Option<Self> {
        match cell {
            Cell::Blob(b) => Some(b.to_vec()),
            _ => None,
        }
    }
}

impl<T: FromSql> FromSql for Option<T> {
    const WANTED: &'static str = T::WANTED;
    fn from_cell(cell: Cell<'_>) -> Option<Self> {
        match cell {
            Cell::Null => Some(None),
            other => T::from_cell(other).map(Some),
        }
    }
}

/// One row of a result, from either engine.
pub enum Row<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    Pg(&'a postgres::Row),
}

impl fmt::Debug for Row<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Row")
    }
}

impl Row<'_> {
    pub fn get<T: FromSql>(&self, column: usize) -> Result<T> {
        let found = |cell: Cell<'_>| Error::Type { column, wanted: T::WANTED, found: cell.kind().to_owned() };
        match self {
            Row::Sqlite(r) => {
                use rusqlite::types::ValueRef;
                let cell = match r.get_ref(column)? {
                    ValueRef::Null => Cell::Null,
                    ValueRef::Integer(i) => Cell::Int(i),
                    ValueRef::Real(f) => Cell::Real(f),
                    ValueRef::Text(t) => Cell::Text(std::str::from_utf8(t).map_err(|_| Error::Type {
                        column,
                        wanted: T::WANTED,
                        found: "text that is not UTF-8".to_owned(),
                    })?),
                    ValueRef::Blob(b) => Cell::Blob(b),
                };
                T::from_cell(cell).ok_or_else(|| found(cell))
            }
            Row::Pg(r) => {
                let ty = r.columns().get(column).map(|c| c.type_().clone()).ok_or(Error::Type {
                    column,
                    wanted: T::WANTED,
                    found: "no such column".to_owned(),
                })?;
                let cell = pg_cell(r, column, &ty)?;
                T::from_cell(cell).ok_or_else(|| found(cell))
            }
        }
    }
}

fn pg_cell<'r>(r: &'r postgres::Row, i: usize, ty: &Type) -> Result<Cell<'r>> {
    let cell = match *ty {
        Type::INT8 => r.try_get::<_, Option<i64>>(i)?.map(Cell::Int),
        Type::INT4 => r.try_get::<_, Option<i32>>(i)?.map(|v| Cell::Int(v.into())),
        Type::INT2 => r.try_get::<_, Option<i16>>(i)?.map(|v| Cell::Int(v.into())),
        Type::BOOL => r.try_get::<_, Option<bool>>(i)?.map(|v| Cell::Int(v.into())),
        Type::FLOAT8 => r.try_get::<_, Option<f64>>(i)?.map(Cell::Real),
        Type::FLOAT4 => r.try_get::<_, Option<f32>>(i)?.map(|v| Cell::Real(v.into())),
        Type::BYTEA => r.try_get::<_, Option<&[u8]>>(i)?.map(Cell::Blob),
        _ => r.try_get::<_, Option<&str>>(i)?.map(Cell::Text),
    };
    Ok(cell.unwrap_or(Cell::Null))
}

/// A parameter for PostgreSQL, sent as the type the server inferred for it.
#[derive(Debug)]
struct PgArg<'a>(Value<'a>);

impl postgres::types::ToSql for PgArg<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match (self.0, ty) {
            (Value::Null, _) => Ok(IsNull::Yes),
            (Value::Int(i), &Type::INT8) => i.to_sql(ty, out),
            (Value::Int(i), &Type::INT4) => i32::try_from(i)?.to_sql(ty, out),
            (Value::Int(i), &Type::INT2) => i16::try_from(i)?.to_sql(ty, out),
            (Value::Int(i), &Type::BOOL) => (i != 0).to_sql(ty, out),
            #[allow(clippy::cast_precision_loss)]
            (Value::Int(i), &Type::FLOAT8) => (i as f64).to_sql(ty, out),
            (Value::Int(i), _) => i.to_string().as_str().to_sql(&Type::TEXT, out),
            (Value::Real(f), &Type::FLOAT8) => f.to_sql(ty, out),
            (Value::Real(f), _) => f.to_string().as_str().to_sql(&Type::TEXT, out),
            (Value::Text(s), &Type::INT8) => s.parse::<i64>()?.to_sql(ty, out),
            (Value::Text(s), &Type::JSONB) => {
                // jsonb's binary form: a version byte, then the text.
                out.extend_from_slice(&[1]);
                out.extend_from_slice(s.as_bytes());
                Ok(IsNull::No)
            }
            (Value::Text(s), _) => s.to_sql(&Type::TEXT, out),
            (Value::Blob(b), _) => b.to_sql(&Type::BYTEA, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// The ledger's connection: SQLite, or PostgreSQL with its prepared statements.
pub struct Connection {
    engine: Engine,
}

enum Engine {
    Sqlite(rusqlite::Connection),
    Pg(Box<RefCell<Pg>>),
}

/// How connections to PostgreSQL are made: in plain text, or over TLS (rustls) verified
/// by a root store or the platform's verifier. Never TLS without verification.
#[derive(Clone, Default)]
pub struct Connector(Option<std::sync::Arc<rustls::ClientConfig>>);

impl fmt::Debug for Connector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() { "tls" } else { "plain" })
    }
}

impl Connector {
    /// Plain text (`sslmode=disable`, or no `sslmode`).
    pub fn plain() -> Connector {
        Connector(None)
    }

    /// TLS required, the server's certificate verified by `config`.
    pub fn tls(config: rustls::ClientConfig) -> Connector {
        Connector(Some(std::sync::Arc::new(config)))
    }

    pub fn is_tls(&self) -> bool {
        self.0.is_some()
    }

    /// Connects as `config` says, over this transport. With TLS, the server must take it
    /// (`sslmode=require` is set here whatever the URL said).
    pub fn connect(&self, config: &postgres::Config) -> std::result::Result<postgres::Client, postgres::Error> {
        match &self.0 {
            None => config.connect(postgres::NoTls),
            Some(tls) => {
                let mut config = config.clone();
                config.ssl_mode(postgres::config::SslMode::Require);
                config.connect(tokio_postgres_rustls::MakeRustlsConnect::new((**tls).clone()))
            }
        }
    }
}

/// The PostgreSQL client and the statements prepared on it.
pub struct Pg {
    client: Client,
    prepared: HashMap<String, postgres::Statement>,
    /// For connecting again after the server or the network dropped the connection.
    config: postgres::Config,
    connector: Connector,
    /// Run on every new connection (`SET default_transaction_read_only = on`).
    session: Option<String>,
    /// A transaction is open: a lost connection then fails the rest of it rather than
    /// reconnecting half-way through.
    in_transaction: bool,
}

impl Pg {
    /// Connects again if the connection was lost; the statements are prepared anew. The
    /// caller sees the error of the call that found it lost, and the next call reconnects.
    fn ensure_connected(&mut self) -> Result<()> {
        if self.client.is_closed() {
            if self.in_transaction {
                return Err(Error::Lost);
            }
            let mut client = self.connector.connect(&self.config)?;
            if let Some(sql) = &self.session {
                client.batch_execute(sql)?;
            }
            self.client = Client(Some(client));
            self.prepared.clear();
        }
        Ok(())
    }
}

/// The synchronous client blocks on its own runtime, even to close: dropped on a thread
/// that drives async tasks, it is handed to a thread of its own to close there.
struct Client(Option<postgres::Client>);

impl std::ops::Deref for Client {
    type Target = postgres::Client;
    fn deref(&self) -> &postgres::Client {
        self.0.as_ref().unwrap_or_else(|| unreachable!("the client is only taken on drop"))
    }
}

impl std::ops::DerefMut for Client {
    fn deref_mut(&mut self) -> &mut postgres::Client {
        self.0.as_mut().unwrap_or_else(|| unreachable!("the client is only taken on drop"))
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if let Some(client) = self.0.take() {
            if tokio::runtime::Handle::try_current().is_ok() {
                std::thread::spawn(move || drop(client));
            } else {
                drop(client);
            }
        }
    }
}

impl fmt::Debug for Pg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pg({} prepared)", self.prepared.len())
    }
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.engine {
            Engine::Sqlite(_) => "Connection(sqlite)",
            Engine::Pg(_) => "Connection(postgres)",
        })
    }
}

impl Connection {
    pub fn sqlite(conn: rusqlite::Connection) -> Connection {
        Connection { engine: Engine::Sqlite(conn) }
    }

    pub fn postgres(client: postgres::Client, config: postgres::Config, connector: Connector) -> Connection {
        let pg = Pg {
            client: Client(Some(client)),
            prepared: HashMap::new(),
            config,
            connector,
            session: None,
            in_transaction: false,
        };
        Connection { engine: Engine::Pg(Box::new(RefCell::new(pg))) }
    }

    /// On PostgreSQL: runs `sql` (session settings) now and on every reconnection.
    pub fn set_session(&self, sql: &str) -> Result<()> {
        if let Engine::Pg(pg) = &self.engine {
            let mut pg = pg.borrow_mut();
            pg.client.batch_execute(sql)?;
            pg.session = Some(sql.to_owned());
        }
        Ok(())
    }

    /// The SQLite connection underneath, for what only SQLite has (pragmas, file checks).
    pub fn as_sqlite(&self) -> Option<&rusqlite::Connection> {
        match &self.engine {
            Engine::Sqlite(c) => Some(c),
            Engine::Pg(_) => None,
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.engine, Engine::Pg(_))
    }

    /// A statement, prepared once and kept.
    pub fn prepare_cached(&self, sql: &str) -> Result<Statement<'_>> {
        match &self.engine {
            Engine::Sqlite(c) => Ok(Statement::Sqlite(c.prepare_cached(sql)?)),
            Engine::Pg(pg) => {
                let mut guard = pg.borrow_mut();
                let pg_ref = &mut *guard;
                pg_ref.ensure_connected()?;
                let stmt = match pg_ref.prepared.get(sql) {
                    Some(s) => s.clone(),
                    None => {
                        let text = pg_dialect(sql);
                        let s = pg_ref.client.prepare(&text).map_err(|error| Error::Prepare { sql: text, error })?;
                        pg_ref.prepared.insert(sql.to_owned(), s.clone());
                        s
                    }
                };
                Ok(Statement::Pg { pg, stmt })
            }
        }
    }

    /// Same as [`Connection::prepare_cached`]: both engines keep what they prepare.
    pub fn prepare(&self, sql: &str) -> Result<Statement<'_>> {
        self.prepare_cached(sql)
    }

    pub fn execute<P: Params>(&self, sql: &str, params: P) -> Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }

    pub fn query_row<T, P, F>(&self, sql: &str, params: P, f: F) -> Result<T>
    where
        P: Params,
        F: FnOnce(&Row<'_>) -> Result<T>,
    {
        self.prepare_cached(sql)?.query_row(params, f)
    }

    /// Several statements without parameters (migrations, bulk loads).
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match &self.engine {
            Engine::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Engine::Pg(pg) => {
                let mut pg = pg.borrow_mut();
                pg.ensure_connected()?;
                Ok(pg.client.batch_execute(&pg_dialect(sql))?)
            }
        }
    }

    /// A transaction, rolled back if dropped before [`Transaction::commit`]. On SQLite it
    /// takes the write lock at once (`BEGIN IMMEDIATE`), so it never fails half-way for
    /// want of it.
    pub fn transaction(&mut self) -> Result<Transaction<'_>> {
        let begin = match self.engine {
            Engine::Sqlite(_) => "BEGIN IMMEDIATE",
            Engine::Pg(_) => "BEGIN",
        };
        self.execute_batch(begin)?;
        self.set_in_transaction(true);
        Ok(Transaction { conn: self, done: false })
    }

    /// Inside a transaction: waits until no other daemon sharing the ledger is planning or
    /// merging, so two never create the same deadline or plan the same row at once. SQLite
    /// has one writer at a time already.
    pub fn lock_ledger(&self) -> Result<()> {
        if self.is_postgres() {
            self.query_row("SELECT pg_advisory_xact_lock(?1)", [LEDGER_LOCK], |_| Ok(()))?;
        }
        Ok(())
    }

    /// Inside a transaction: tells the other daemons sharing the ledger, when it commits,
    /// that it changed (LISTEN/NOTIFY); they look at it again at once. Nothing on SQLite,
    /// where a local wake-up socket does this.
    pub fn notify_changed(&self) -> Result<()> {
        if self.is_postgres() {
            self.execute_batch(&format!("NOTIFY {CHANGED_CHANNEL}"))?;
        }
        Ok(())
    }

    fn set_in_transaction(&self, open: bool) {
        if let Engine::Pg(pg) = &self.engine {
            pg.borrow_mut().in_transaction = open;
        }
    }
}

/// An open transaction; derefs to its connection.
#[derive(Debug)]
pub struct Transaction<'c> {
    conn: &'c Connection,
    done: bool,
}

impl Transaction<'_> {
    pub fn commit(mut self) -> Result<()> {
        self.done = true;
        let result = self.conn.execute_batch("COMMIT");
        self.conn.set_in_transaction(false);
        result
    }
}

impl std::ops::Deref for Transaction<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if !self.done {
            let _ = self.conn.execute_batch("ROLLBACK");
            self.conn.set_in_transaction(false);
        }
    }
}

pub enum Statement<'c> {
    Sqlite(rusqlite::CachedStatement<'c>),
    Pg { pg: &'c RefCell<Pg>, stmt: postgres::Statement },
}

impl fmt::Debug for Statement<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Statement")
    }
}

fn sqlite_values<'v>(values: &'v [Value<'v>]) -> Vec<rusqlite::types::ToSqlOutput<'v>> {
    use rusqlite::types::{ToSqlOutput, ValueRef};
    values
        .iter()
        .map(|v| {
            ToSqlOutput::Borrowed(match *v {
                Value::Null => ValueRef::Null,
                Value::Int(i) => ValueRef::Integer(i),
                Value::Real(f) => ValueRef::Real(f),
                Value::Text(s) => ValueRef::Text(s.as_bytes()),
                Value::Blob(b) => ValueRef::Blob(b),
            })
        })
        .collect()
}

impl Statement<'_> {
    pub fn execute<P: Params>(&mut self, params: P) -> Result<usize> {
        let values = params.values();
        match self {
            Statement::Sqlite(s) => {
                let bound = sqlite_values(&values);
                Ok(s.execute(rusqlite::params_from_iter(bound.iter()))?)
            }
            Statement::Pg { pg, stmt } => {
                let args: Vec<PgArg<'_>> = values.into_iter().map(PgArg).collect();
                let refs: Vec<&(dyn postgres::types::ToSql + Sync)> =
                    args.iter().map(|a| a as &(dyn postgres::types::ToSql + Sync)).collect();
                let n = pg.borrow_mut().client.execute(&*stmt, &refs)?;
                Ok(usize::try_from(n).unwrap_or(usize::MAX))
            }
        }
    }

    /// Every row, each mapped by `f`.
    pub fn query_map<T, P, F>(&mut self, params: P, mut f: F) -> Result<std::vec::IntoIter<Result<T>>>
    where
        P: Params,
        F: FnMut(&Row<'_>) -> Result<T>,
    {
        let values = params.values();
        let mut out = Vec::new();
        match self {
            Statement::Sqlite(s) => {
                let bound = sqlite_values(&values);
                let mut rows = s.query(rusqlite::params_from_iter(bound.iter()))?;
                while let Some(r) = rows.next()? {
                    out.push(f(&Row::Sqlite(r)));
                }
            }
            Statement::Pg { pg, stmt } => {
                let args: Vec<PgArg<'_>> = values.into_iter().map(PgArg).collect();
                let refs: Vec<&(dyn postgres::types::ToSql + Sync)> =
                    args.iter().map(|a| a as &(dyn postgres::types::ToSql + Sync)).collect();
                let rows = pg.borrow_mut().client.query(&*stmt, &refs)?;
                out.extend(rows.iter().map(|r| f(&Row::Pg(r))));
            }
        }
        Ok(out.into_iter())
    }

    /// The first row, mapped by `f`; [`Error::NoRows`] when there is none.
    pub fn query_row<T, P, F>(&mut self, params: P, f: F) -> Result<T>
    where
        P: Params,
        F: FnOnce(&Row<'_>) -> Result<T>,
    {
        let values = params.values();
        match self {
            Statement::Sqlite(s) => {
                let bound = sqlite_values(&values);
                let mut rows = s.query(rusqlite::params_from_iter(bound.iter()))?;
                match rows.next()? {
                    Some(r) => f(&Row::Sqlite(r)),
                    None => Err(Error::NoRows),
                }
            }
            Statement::Pg { pg, stmt } => {
                let args: Vec<PgArg<'_>> = values.into_iter().map(PgArg).collect();
                let refs: Vec<&(dyn postgres::types::ToSql + Sync)> =
                    args.iter().map(|a| a as &(dyn postgres::types::ToSql + Sync)).collect();
                let row = pg.borrow_mut().client.query_opt(&*stmt, &refs)?;
                match row {
                    Some(r) => f(&Row::Pg(&r)),
                    None => Err(Error::NoRows),
                }
            }
        }
    }

    pub fn exists<P: Params>(&mut self, params: P) -> Result<bool> {
        self.query_row(params, |_| Ok(())).optional().map(|r| r.is_some())
    }
}

/// Rewrites a query from the SQLite dialect the store is written in to PostgreSQL's:
/// - `?N` parameters become `$N`;
/// - `x IS ?N` (null-safe equality) becomes `x IS NOT DISTINCT FROM $N`;
/// - `json_each(X)` becomes `jsonb_array_elements_text(X::jsonb)` (both name their column
///   `value`), and `json_group_array(X)` becomes a JSON text array (`[]` when empty);
/// - `x IN (SELECT … FROM json_each(X))` becomes `x = ANY(ARRAY(SELECT …))`: PostgreSQL
///   guesses 100 rows for a set-returning function and would rather read a whole table
///   than probe its index that often, where an array of ids is probed a key at a time;
/// - `strftime('%Y-%m-%d', X, 'unixepoch')` becomes the UTC day of `X` seconds;
/// - `+column` (SQLite's hint to skip an index) loses its `+`;
/// - `INTEGER` columns become `BIGINT`, `INTEGER PRIMARY KEY` an identity, `BLOB`
///   `BYTEA`, and `STRICT` goes (for migrations).
///
/// Only the forms the store uses are rewritten; a test runs every query on both engines.
pub fn pg_dialect(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 32);
    let bytes = sql.as_bytes();
    let mut i = 0;
    let mut in_string = false;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'\'' {
            in_string = !in_string;
            out.push('\'');
            i += 1;
            continue;
        }
        if in_string {
            let len = utf8_len(c);
            out.push_str(&sql[i..i + len]);
            i += len;
            continue;
        }
        if c == b'-' && bytes.get(i + 1) == Some(&b'-') {
            let end = sql[i..].find('\n').map_or(sql.len(), |n| i + n);
            out.push_str(&sql[i..end]);
            i = end;
            continue;
        }
        let rest = &sql[i..];
        let at_word = !out.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
        if c == b'?' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
            out.push('$');
            i += 1;
            continue;
        }
        if let Some(n) = keyword(rest, "IS ?").filter(|_| at_word) {
            out.push_str("IS NOT DISTINCT FROM ");
            i += n - 1;
            continue;
        }
        if let Some(n) = keyword(rest, "IN (").filter(|_| at_word && !after_not(&out)) {
            let (list, len) = balanced(&rest[n..]);
            if keyword(list, "SELECT ").is_some() && list.contains("json_each(") {
                out.push_str("= ANY(ARRAY(");
                out.push_str(&pg_dialect(list));
                out.push_str("))");
                i += n + len + 1;
                continue;
            }
        }
        if let Some(n) = keyword(rest, "json_each(").filter(|_| at_word) {
            let (arg, len) = balanced(&rest[n..]);
            out.push_str("jsonb_array_elements_text(CAST(CAST(");
            out.push_str(&pg_dialect(arg));
            out.push_str(" AS text) AS jsonb))");
            i += n + len + 1;
            continue;
        }
        if let Some(n) = keyword(rest, "json_group_array(").filter(|_| at_word) {
            let (arg, len) = balanced(&rest[n..]);
            out.push_str("coalesce(CAST(json_agg(");
            out.push_str(&pg_dialect(arg));
            out.push_str(") AS text), '[]')");
            i += n + len + 1;
            continue;
        }
        if let Some(n) = keyword(rest, "strftime('%Y-%m-%d', ").filter(|_| at_word) {
            let (arg, len) = balanced(&rest[n..]);
            let seconds = arg.trim_end().strip_suffix("'unixepoch'").unwrap_or(arg).trim_end();
            let seconds = seconds.strip_suffix(',').unwrap_or(seconds);
            out.push_str("to_char(to_timestamp(");
            out.push_str(&pg_dialect(seconds));
            out.push_str(") AT TIME ZONE 'UTC', 'YYYY-MM-DD')");
            i += n + len + 1;
            continue;
        }
        if c == b'+' && bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) && prev_is_space(&out) {
            i += 1;
            continue;
        }
        if let Some(n) = keyword(rest, "INTEGER PRIMARY KEY").filter(|_| at_word) {
            out.push_str("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
            i += n;
            continue;
        }
        if let Some(n) = keyword(rest, "INTEGER").filter(|_| at_word) {
            out.push_str("BIGINT");
            i += n;
            continue;
        }
        if let Some(n) = keyword(rest, "BLOB").filter(|_| at_word) {
            out.push_str("BYTEA");
            i += n;
            continue;
        }
        if let Some(n) = keyword(rest, ") STRICT") {
            out.push(')');
            i += n;
            continue;
        }
        let len = utf8_len(c);
        out.push_str(&sql[i..i + len]);
        i += len;
    }
    out
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Whether `out` ends in `NOT ` (`NOT IN (…)` stays as written).
fn after_not(out: &str) -> bool {
    out.len() >= 4 && out.as_bytes()[out.len() - 4..].eq_ignore_ascii_case(b"NOT ")
}

fn prev_is_space(out: &str) -> bool {
    out.ends_with([' ', '(', '\n'])
}

/// `word` at the start of `rest`, not in the middle of an identifier: its length.
fn keyword(rest: &str, word: &str) -> Option<usize> {
    let head = rest.get(..word.len())?;
    if !head.eq_ignore_ascii_case(word) {
        return None;
    }
    let last = word.as_bytes()[word.len() - 1];
    let next = rest.as_bytes().get(word.len());
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    if ident(last) && next.is_some_and(|&b| ident(b)) {
        return None;
    }
    Some(word.len())
}

/// The text up to the parenthesis that closes the one just opened, and its length.
fn balanced(rest: &str) -> (&str, usize) {
    let mut depth = 0usize;
    let mut in_string = false;
    for (i, c) in rest.char_indices() {
        match c {
            '\'' => in_string = !in_string,
            '(' if !in_string => depth += 1,
            ')' if !in_string => {
                if depth == 0 {
                    return (&rest[..i], i);
                }
                depth -= 1;
            }
            _ => {}
        }
    }
    (rest, rest.len())
}

#[cfg(test)]
mod tests {
    use super::pg_dialect;

    #[test]
    fn parameters_and_null_safe_equality() {
        assert_eq!(
            pg_dialect("SELECT a FROM t WHERE b = ?1 AND c IS ?2"),
            "SELECT a FROM t WHERE b = $1 AND c IS NOT DISTINCT FROM $2"
        );
        assert_eq!(pg_dialect("WHERE ?1 IS NULL"), "WHERE $1 IS NULL");
        assert_eq!(pg_dialect("SELECT '?1 IS ?2'"), "SELECT '?1 IS ?2'");
    }

    #[test]
    fn json_and_days() {
        assert_eq!(
            pg_dialect("WHERE id IN (SELECT value FROM json_each(?1))"),
            "WHERE id = ANY(ARRAY(SELECT value FROM jsonb_array_elements_text(CAST(CAST($1 AS text) AS jsonb))))"
        );
        assert_eq!(
            pg_dialect("WHERE name NOT IN (SELECT value FROM json_each(?1))"),
            "WHERE name NOT IN (SELECT value FROM jsonb_array_elements_text(CAST(CAST($1 AS text) AS jsonb)))"
        );
        assert_eq!(pg_dialect("WHERE id IN (SELECT id FROM t)"), "WHERE id IN (SELECT id FROM t)");
        assert_eq!(
            pg_dialect("(SELECT json_group_array(source) FROM s)"),
            "(SELECT coalesce(CAST(json_agg(source) AS text), '[]') FROM s)"
        );
        assert_eq!(
            pg_dialect("coalesce(t.day, strftime('%Y-%m-%d', t.first_seen_ms / 1000, 'unixepoch'))"),
            "coalesce(t.day, to_char(to_timestamp(t.first_seen_ms / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD'))"
        );
    }

    #[test]
    fn schema() {
        assert_eq!(
            pg_dialect("CREATE TABLE t (\n    id INTEGER PRIMARY KEY,\n    n INTEGER NOT NULL, b BLOB\n) STRICT;"),
            "CREATE TABLE t (\n    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n    n BIGINT NOT NULL, b BYTEA\n);"
        );
        assert_eq!(pg_dialect("AND +kind = 'alert' AND a + b"), "AND kind = 'alert' AND a + b");
        assert_eq!(pg_dialect("SELECT integers FROM t"), "SELECT integers FROM t");
        assert_eq!(pg_dialect("-- the alert's key\nn INTEGER"), "-- the alert's key\nn BIGINT");
    }
}
