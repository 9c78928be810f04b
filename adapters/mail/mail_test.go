package mail_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"agora/adapters/mail"
	"agora/adapters/mail/mailtest"
	"agora/ports/identity"
)

const from = "Agora <no-reply@agora.test>"

func message() identity.Message {
	return identity.Message{
		To:      "ada@example.com",
		Subject: "Reset your Agora password",
		Text: "Hello Ada Lovelace, here is a long line that goes past seventy-six characters for sure, = sign too\n\n" +
			"Token: abcDEF123_-xyz\n",
	}
}

func checkMessage(t *testing.T, raw []byte) {
	t.Helper()
	p := mailtest.Parse(t, raw)
	if p.Header.Get("To") != "<ada@example.com>" || !strings.Contains(p.Header.Get("From"), "no-reply@agora.test") ||
		p.Header.Get("Subject") != "Reset your Agora password" || p.Header.Get("Message-Id") == "" || p.Header.Get("Date") == "" {
		t.Fatalf("headers: %v", p.Header)
	}
	if !strings.Contains(p.Body, "for sure, = sign too") {
		t.Fatalf("body: %q", p.Body)
	}
	if tok := mailtest.Token(t, raw); tok != "abcDEF123_-xyz" {
		t.Fatalf("token %q", tok)
	}
}

// A real SMTP exchange: STARTTLS (required), AUTH, one message.
func TestSMTPWithSTARTTLSAndAuth(t *testing.T) {
	t.Parallel()
	srv := mailtest.Start(t, mailtest.Options{TLS: true, User: "agora", Password: "s3cret"})
	m, err := mail.NewSMTP("smtp://agora:s3cret@"+srv.Addr, from)
	if err != nil {
		t.Fatal(err)
	}
	mail.TrustTestCA(m, srv.ClientTLS)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := m.Send(ctx, message()); err != nil {
		t.Fatal(err)
	}
	got := srv.Wait(t, 1, 5*time.Second)
	if !got.TLS || got.AuthUser != "agora" || got.From != "no-reply@agora.test" ||
		len(got.To) != 1 || got.To[0] != "ada@example.com" {
		t.Fatalf("envelope: %+v", got)
	}
	checkMessage(t, got.Data)
}

func TestSMTPPlainToALocalRelay(t *testing.T) {
	t.Parallel()
	srv := mailtest.Start(t, mailtest.Options{})
	m, err := mail.NewSMTP("smtp://"+srv.Addr+"?tls=none", from)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Send(context.Background(), message()); err != nil {
		t.Fatal(err)
	}
	got := srv.Wait(t, 1, 5*time.Second)
	if got.TLS {
		t.Fatal("tls=none used TLS")
	}
	checkMessage(t, got.Data)
}

// STARTTLS is required by default: a server without it is refused, and so
// are wrong credentials.
func TestSMTPRefusals(t *testing.T) {
	t.Parallel()
	plain := mailtest.Start(t, mailtest.Options{})
	m, _ := mail.NewSMTP("smtp://"+plain.Addr, from)
	if err := m.Send(context.Background(), message()); err == nil {
		t.Fatal("sent without STARTTLS although it is required")
	}
	tlsSrv := mailtest.Start(t, mailtest.Options{TLS: true, User: "agora", Password: "s3cret"})
	m, _ = mail.NewSMTP("smtp://agora:wrong@"+tlsSrv.Addr, from)
	mail.TrustTestCA(m, tlsSrv.ClientTLS)
	err := m.Send(context.Background(), message())
	if err == nil {
		t.Fatal("sent with a wrong password")
	}
	if strings.Contains(err.Error(), "abcDEF123") {
		t.Fatal("an error carries the message body")
	}
	if len(plain.Messages())+len(tlsSrv.Messages()) != 0 {
		t.Fatal("a refused send delivered a message")
	}
}

func TestSMTPURLs(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"http://host", "smtp://", "smtp://host:0", "smtp://host?tls=maybe", "::"} {
		if _, err := mail.NewSMTP(u, from); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
	for _, u := range []string{"smtp://host", "smtps://u:p@host:465", "smtp://host:25?tls=opportunistic"} {
		if _, err := mail.NewSMTP(u, from); err != nil {
			t.Errorf("%q: %v", u, err)
		}
	}
	if _, err := mail.NewSMTP("smtp://host", "not an address"); err == nil {
		t.Error("bad From accepted")
	}
}

func TestDirWritesWholeMessages(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "mail")
	d, err := mail.NewDir(dir, from)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("folder: %v %v", fi.Mode(), err)
	}
	for range 2 {
		if err := d.Send(context.Background(), message()); err != nil {
			t.Fatal(err)
		}
	}
	msgs := mailtest.DirMessages(t, dir)
	if len(msgs) != 2 {
		t.Fatalf("%d messages", len(msgs))
	}
	checkMessage(t, msgs[0])
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".eml") {
			t.Errorf("leftover file %s", e.Name())
		}
	}
}
