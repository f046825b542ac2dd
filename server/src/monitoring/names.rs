//! The metric families' names and their bounded label values: a leaf, so
//! the code that counts (worker, mail, middleware) and the exporter that
//! describes them share one spelling without importing each other.

/// Requests answered, by `method`, `route` and `status`.
pub const HTTP_REQUESTS: &str = "warta_http_requests_total";
/// How long requests took to answer, by `method`, `route` and `status`.
pub const HTTP_DURATION: &str = "warta_http_request_duration_seconds";
/// Connections of a pool, by `pool` and `state` (`in_use`, `idle`).
pub const POOL_CONNECTIONS: &str = "warta_db_pool_connections";
/// A pool's size limit, by `pool`.
pub const POOL_MAX: &str = "warta_db_pool_max_connections";
/// How long the sampler last waited for a connection, by `pool`.
pub const POOL_ACQUIRE: &str = "warta_db_pool_acquire_seconds";
/// A replica's replay lag, by `pool`.
pub const REPLICA_LAG: &str = "warta_db_replica_lag_seconds";
/// Whether a replica passed its last health check, by `pool`.
pub const REPLICA_HEALTHY: &str = "warta_db_replica_healthy";
/// Whether the Redis circuit breaker is open.
pub const REDIS_BREAKER_OPEN: &str = "warta_redis_breaker_open";
/// Jobs in the queue, by `state` (`queued`, `running`, `dead`).
pub const JOBS: &str = "warta_jobs_by_state";
/// How long one run of a job took, by `kind`.
pub const JOB_DURATION: &str = "warta_job_duration_seconds";
/// Runs of jobs, by `kind` and `outcome`.
pub const JOBS_FINISHED: &str = "warta_jobs_finished_total";
/// Emails handed to the mail server, by `outcome`.
pub const EMAILS: &str = "warta_emails_total";

/// What a job run's `outcome` can be (see `worker::run_one`).
pub const JOB_OUTCOMES: [&str; 5] = ["done", "retry", "dead", "interrupted", "lost"];

/// What an email's `outcome` can be (see `mail::Mailer::send`).
pub const EMAIL_OUTCOMES: [&str; 3] = ["sent", "refused", "failed"];
