package main

import (
	"strings"
	"testing"
	"time"
)

func TestConfigDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := loadConfig(map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTPAddr != ":8000" || cfg.AccessTokenTTL != 15*time.Minute || cfg.RefreshTokenTTL != 720*time.Hour ||
		!cfg.RateLimitEnabled || cfg.LogLevel != "info" || cfg.MetricsAddr != "" || cfg.ShutdownTimeout != 20*time.Second {
		t.Fatalf("unexpected defaults: %+v", cfg)
	}
}

func TestConfigParsesGoodValues(t *testing.T) {
	t.Parallel()
	cfg, err := loadConfig(map[string]string{
		"DATABASE_URL":       "postgres://agora@db:5432/agora?sslmode=disable",
		"HTTP_ADDR":          "127.0.0.1:9000",
		"METRICS_ADDR":       ":9464",
		"ACCESS_TOKEN_TTL":   "5m",
		"RATE_LIMIT_ENABLED": "false",
		"TRUSTED_PROXIES":    "10.0.0.0/8, 172.16.0.1,::1",
		"SMTP_URL":           "smtp://user:pw@mail.example.com:587",
		"LOG_LEVEL":          "debug",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.TrustedProxies) != 3 || cfg.TrustedProxies[1].String() != "172.16.0.1/32" || cfg.TrustedProxies[2].String() != "::1/128" {
		t.Fatalf("trusted proxies = %v", cfg.TrustedProxies)
	}
	if cfg.RateLimitEnabled || cfg.AccessTokenTTL != 5*time.Minute {
		t.Fatalf("cfg = %+v", cfg)
	}
}

// Every bad value stops start-up with a message naming its variable.
func TestConfigRejectsBadValues(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"DATABASE_URL":                  "postgres://%zz",
		"HTTP_ADDR":                     "8000",
		"METRICS_ADDR":                  "nohost:port:x",
		"JWT_ISSUER":                    " ",
		"JWT_AUDIENCE":                  " ",
		"ACCESS_TOKEN_TTL":              "fifteen minutes",
		"REFRESH_TOKEN_TTL":             "10s",
		"RATE_LIMIT_ENABLED":            "maybe",
		"SMTP_URL":                      "http://mail.example.com",
		"MAIL_FROM":                     "not an address",
		"PUBLIC_BASE_URL":               "localhost:8000",
		"TRUSTED_PROXIES":               "10.0.0.0/99",
		"LOG_LEVEL":                     "verbose",
		"SHUTDOWN_TIMEOUT":              "-1s",
		"REQUEST_TIMEOUT":               "1ms",
		"DB_STATEMENT_TIMEOUT":          "1h",
		"OTEL_EXPORTER_OTLP_ENDPOINT":   "collector:4318",
		"RATE_LIMIT_GENERAL_PER_SECOND": "0",
		"RATE_LIMIT_GENERAL_BURST":      "lots",
		"RATE_LIMIT_MAX_KEYS":           "5",
		"RATE_LIMIT_STORE":              "memcached",
		"REDIS_URL":                     "http://cache:6379",
		"PASSWORD_HASH_NICE":            "-5",
	}
	for name, value := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := loadConfig(map[string]string{name: value})
			if err == nil {
				t.Fatalf("%s=%q accepted", name, value)
			}
			if !strings.Contains(err.Error(), name) {
				t.Fatalf("error does not name %s: %v", name, err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is not one line: %q", err)
			}
		})
	}
}

func TestConfigPasswordHashNiceBounds(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"-1", "20", "nineteen", "1.5"} {
		if _, err := loadConfig(map[string]string{"PASSWORD_HASH_NICE": v}); err == nil || !strings.Contains(err.Error(), "PASSWORD_HASH_NICE") {
			t.Errorf("PASSWORD_HASH_NICE=%q: err = %v", v, err)
		}
	}
	for v, want := range map[string]int{"": 19, "0": 0, "19": 19, "10": 10} {
		env := map[string]string{}
		if v != "" {
			env["PASSWORD_HASH_NICE"] = v
		}
		cfg, err := loadConfig(env)
		if err != nil || cfg.PasswordHashNice != want {
			t.Errorf("PASSWORD_HASH_NICE=%q: %d, %v; want %d", v, cfg.PasswordHashNice, err, want)
		}
	}
}

func TestConfigAccessMustBeShorterThanRefresh(t *testing.T) {
	t.Parallel()
	_, err := loadConfig(map[string]string{"ACCESS_TOKEN_TTL": "2h", "REFRESH_TOKEN_TTL": "1h"})
	if err == nil || !strings.Contains(err.Error(), "REFRESH_TOKEN_TTL") {
		t.Fatalf("err = %v", err)
	}
}

func TestConfigRedisStoreNeedsRedisURL(t *testing.T) {
	t.Parallel()
	_, err := loadConfig(map[string]string{"RATE_LIMIT_STORE": "redis"})
	if err == nil || !strings.Contains(err.Error(), "REDIS_URL") {
		t.Fatalf("err = %v", err)
	}
	if _, err := loadConfig(map[string]string{"RATE_LIMIT_STORE": "redis", "REDIS_URL": "redis://127.0.0.1:6379/0"}); err != nil {
		t.Fatal(err)
	}
}
