package main

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap/zapcore"
)

// config is everything Agora reads from its environment, parsed and checked
// once at start. The README and .env.example document every variable.
type config struct {
	DatabaseReadURL    string        `env:"DATABASE_READ_URL"`
	DatabaseReadMaxLag time.Duration `env:"DATABASE_READ_MAX_LAG" envDefault:"5s"`
	DatabaseURL        string        `env:"DATABASE_URL"`
	HTTPAddr           string        `env:"HTTP_ADDR" envDefault:":8000"`
	MetricsAddr        string        `env:"METRICS_ADDR"`
	JWTPrivateKeyFile  string        `env:"JWT_PRIVATE_KEY_FILE"`
	JWTIssuer          string        `env:"JWT_ISSUER" envDefault:"agora"`
	JWTAudience        string        `env:"JWT_AUDIENCE" envDefault:"agora-api"`
	AccessTokenTTL     time.Duration `env:"ACCESS_TOKEN_TTL" envDefault:"15m"`
	RefreshTokenTTL    time.Duration `env:"REFRESH_TOKEN_TTL" envDefault:"720h"`
	RateLimitEnabled   bool          `env:"RATE_LIMIT_ENABLED" envDefault:"true"`
	RateLimitPerSecond int           `env:"RATE_LIMIT_GENERAL_PER_SECOND" envDefault:"20"`
	RateLimitBurst     int           `env:"RATE_LIMIT_GENERAL_BURST" envDefault:"100"`
	RateLimitStore     string        `env:"RATE_LIMIT_STORE" envDefault:"memory"`
	RedisURL           string        `env:"REDIS_URL"`
	RedisKeyPrefix     string        `env:"REDIS_KEY_PREFIX" envDefault:"agora:"`
	RateLimitMaxKeys   int           `env:"RATE_LIMIT_MAX_KEYS" envDefault:"100000"`
	SMTPURL            string        `env:"SMTP_URL"`
	MailFrom           string        `env:"MAIL_FROM" envDefault:"Agora <no-reply@agora.localhost>"`
	MailDir            string        `env:"MAIL_DIR" envDefault:".data/mail"`
	PublicBaseURL      string        `env:"PUBLIC_BASE_URL" envDefault:"http://localhost:8000"`
	TrustedProxiesList string        `env:"TRUSTED_PROXIES"`
	LogLevel           string        `env:"LOG_LEVEL" envDefault:"info"`
	ShutdownTimeout    time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"20s"`
	RequestTimeout     time.Duration `env:"REQUEST_TIMEOUT" envDefault:"10s"`
	DBStatementTimeout time.Duration `env:"DB_STATEMENT_TIMEOUT" envDefault:"5s"`
	PasswordHashNice   int           `env:"PASSWORD_HASH_NICE" envDefault:"19"`

	// TrustedProxies is TRUSTED_PROXIES parsed by validate.
	TrustedProxies []netip.Prefix `env:"-"`
	// OTel holds the standard OTEL_* variables for the tracing set-up.
	OTel map[string]string `env:"-"`
	// cores is GOMAXPROCS before serve raised it for the hashing threads
	// (0 outside serve: tests wire without the raise).
	cores int
}

// loadConfig parses the environment given as a map (os.Environ in main, a
// literal map in tests). The first problem found is returned as one line
// that names the variable.
func loadConfig(environ map[string]string) (config, error) {
	var cfg config
	err := env.ParseWithOptions(&cfg, env.Options{Environment: environ})
	if err != nil {
		return cfg, describeEnvError(err)
	}
	cfg.OTel = map[string]string{}
	for k, v := range environ {
		if strings.HasPrefix(k, "OTEL_") {
			cfg.OTel[k] = v
		}
	}
	return cfg, cfg.validate()
}

// parsePrefixes reads a comma-separated list of CIDRs or single addresses
// (a single address is taken as /32 or /128).
func parsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR or IP address", s)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func (c *config) validate() error {
	var problems []string
	bad := func(name, format string, args ...any) {
		problems = append(problems, name+": "+fmt.Sprintf(format, args...))
	}
	if c.DatabaseURL != "" {
		if _, err := pgxpool.ParseConfig(c.DatabaseURL); err != nil {
			bad("DATABASE_URL", "not a valid PostgreSQL URL")
		}
	}
	if c.DatabaseReadURL != "" {
		if _, err := pgxpool.ParseConfig(c.DatabaseReadURL); err != nil {
			bad("DATABASE_READ_URL", "not a valid PostgreSQL URL")
		}
	}
	if c.DatabaseReadMaxLag < 100*time.Millisecond || c.DatabaseReadMaxLag > time.Hour {
		bad("DATABASE_READ_MAX_LAG", "must be between 100ms and 1h, got %s", c.DatabaseReadMaxLag)
	}
	if err := checkAddr(c.HTTPAddr); err != nil {
		bad("HTTP_ADDR", "%v", err)
	}
	if c.MetricsAddr != "" {
		if err := checkAddr(c.MetricsAddr); err != nil {
			bad("METRICS_ADDR", "%v", err)
		}
	}
	if strings.TrimSpace(c.JWTIssuer) == "" {
		bad("JWT_ISSUER", "must not be empty")
	}
	if strings.TrimSpace(c.JWTAudience) == "" {
		bad("JWT_AUDIENCE", "must not be empty")
	}
	if c.AccessTokenTTL < time.Minute || c.AccessTokenTTL > 24*time.Hour {
		bad("ACCESS_TOKEN_TTL", "must be between 1m and 24h, got %s", c.AccessTokenTTL)
	}
	if c.RefreshTokenTTL < time.Hour || c.RefreshTokenTTL > 8760*time.Hour {
		bad("REFRESH_TOKEN_TTL", "must be between 1h and 8760h, got %s", c.RefreshTokenTTL)
	}
	// Raising a thread's priority (a negative niceness) needs privileges
	// the service never has; 0 hashes at the priority of everything else.
	if c.PasswordHashNice < 0 || c.PasswordHashNice > 19 {
		bad("PASSWORD_HASH_NICE", "must be between 0 and 19, got %d", c.PasswordHashNice)
	}
	if c.RefreshTokenTTL <= c.AccessTokenTTL {
		bad("REFRESH_TOKEN_TTL", "must be longer than ACCESS_TOKEN_TTL")
	}
	if c.RateLimitPerSecond < 1 || c.RateLimitPerSecond > 100000 {
		bad("RATE_LIMIT_GENERAL_PER_SECOND", "must be from 1 to 100000, got %d", c.RateLimitPerSecond)
	}
	if c.RateLimitBurst < 1 || c.RateLimitBurst > 100000 {
		bad("RATE_LIMIT_GENERAL_BURST", "must be from 1 to 100000, got %d", c.RateLimitBurst)
	}
	if c.RateLimitMaxKeys < 100 || c.RateLimitMaxKeys > 10_000_000 {
		bad("RATE_LIMIT_MAX_KEYS", "must be from 100 to 10000000, got %d", c.RateLimitMaxKeys)
	}
	switch c.RateLimitStore {
	case "memory":
	case "redis":
		if c.RedisURL == "" {
			bad("REDIS_URL", "must be set when RATE_LIMIT_STORE=redis")
		}
	default:
		bad("RATE_LIMIT_STORE", "must be memory or redis, got %q", c.RateLimitStore)
	}
	if c.RedisURL != "" {
		if _, err := redis.ParseURL(c.RedisURL); err != nil {
			bad("REDIS_URL", "must look like redis://[:password@]host:6379/0")
		}
	}
	if c.SMTPURL != "" {
		u, err := url.Parse(c.SMTPURL)
		if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
			bad("SMTP_URL", "must look like smtp://user:password@host:587 or smtps://host:465")
		}
	}
	if _, err := mail.ParseAddress(c.MailFrom); err != nil {
		bad("MAIL_FROM", "not an email address (%v)", err)
	}
	if c.SMTPURL == "" && strings.TrimSpace(c.MailDir) == "" {
		bad("MAIL_DIR", "must be set when SMTP_URL is unset")
	}
	if u, err := url.Parse(c.PublicBaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("PUBLIC_BASE_URL", "must be an absolute http(s) URL")
	}
	if _, err := zapcore.ParseLevel(c.LogLevel); err != nil || c.LogLevel == "" {
		bad("LOG_LEVEL", "must be one of debug, info, warn, error; got %q", c.LogLevel)
	}
	if c.ShutdownTimeout <= 0 || c.ShutdownTimeout > 10*time.Minute {
		bad("SHUTDOWN_TIMEOUT", "must be between 0 and 10m, got %s", c.ShutdownTimeout)
	}
	if c.RequestTimeout < 100*time.Millisecond || c.RequestTimeout > 5*time.Minute {
		bad("REQUEST_TIMEOUT", "must be between 100ms and 5m, got %s", c.RequestTimeout)
	}
	if c.DBStatementTimeout < 10*time.Millisecond || c.DBStatementTimeout > c.RequestTimeout {
		bad("DB_STATEMENT_TIMEOUT", "must be between 10ms and REQUEST_TIMEOUT, got %s", c.DBStatementTimeout)
	}
	for _, name := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"} {
		if v := c.OTel[name]; v != "" {
			if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				bad(name, "must be an http(s) URL such as http://otel-collector:4318")
			}
		}
	}
	proxies, err := parsePrefixes(c.TrustedProxiesList)
	if err != nil {
		bad("TRUSTED_PROXIES", "%v", err)
	}
	c.TrustedProxies = proxies
	if len(problems) > 0 {
		return errors.New("invalid configuration: " + strings.Join(problems, "; "))
	}
	return nil
}

func checkAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not host:port", addr)
	}
	if host != "" && net.ParseIP(host) == nil && host != "localhost" {
		return fmt.Errorf("%q: host must be an IP address, localhost or empty", addr)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return fmt.Errorf("%q: bad port", addr)
	}
	return nil
}

// describeEnvError rewrites the env library's errors, which name Go fields,
// so that they name the environment variable instead.
func describeEnvError(err error) error {
	names := map[string]string{}
	t := reflect.TypeOf(config{})
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		names[f.Name] = strings.Split(f.Tag.Get("env"), ",")[0] //nolint:modernize // tags are short
	}
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return fmt.Errorf("invalid configuration: %w", err)
	}
	var problems []string
	for _, e := range agg.Errors {
		var pe env.ParseError
		if errors.As(e, &pe) {
			problems = append(problems, fmt.Sprintf("%s: cannot parse as %s (%v)", names[pe.Name], pe.Type, pe.Err))
			continue
		}
		problems = append(problems, e.Error())
	}
	return errors.New("invalid configuration: " + strings.Join(problems, "; "))
}
