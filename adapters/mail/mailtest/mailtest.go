// Package mailtest runs a real SMTP server (emersion/go-smtp) on a loopback
// port inside a test, and reads tokens out of the messages it receives or
// that the file adapter wrote, decoding them as a mail client would.
package mailtest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Options configure the test server.
type Options struct {
	// TLS makes the server offer STARTTLS with a fresh self-signed
	// certificate for 127.0.0.1 (trust it with Server.ClientTLS).
	TLS bool
	// User and Password, when set, are required (AUTH PLAIN).
	User, Password string
}

// Received is one message as the server got it.
type Received struct {
	From     string
	To       []string
	Data     []byte
	TLS      bool
	AuthUser string
}

// Server is a running SMTP server.
type Server struct {
	Addr      string
	ClientTLS *tls.Config
	opts      Options
	mu        sync.Mutex
	msgs      []Received
	arrived   chan struct{}
}

// Start runs a server until the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s := &Server{opts: opts, arrived: make(chan struct{}, 100)}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{srv: s, conn: c}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.ErrorLog = quietLog{}
	srv.AllowInsecureAuth = !opts.TLS
	if opts.TLS {
		serverCfg, clientCfg, err := selfSigned()
		if err != nil {
			t.Fatal(err)
		}
		srv.TLSConfig, s.ClientTLS = serverCfg, clientCfg
	}
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// Messages returns what arrived so far.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.msgs...)
}

// Wait returns the n-th message (1-based) once it has arrived, or fails
// the test after timeout.
func (s *Server) Wait(t testing.TB, n int, timeout time.Duration) Received {
	t.Helper()
	deadline := time.After(timeout)
	for {
		if m := s.Messages(); len(m) >= n {
			return m[n-1]
		}
		select {
		case <-s.arrived:
		case <-deadline:
			t.Fatalf("mailtest: message %d did not arrive within %s", n, timeout)
		}
	}
}

type session struct {
	srv      *Server
	conn     *smtp.Conn
	from     string
	to       []string
	authUser string
}

func (ss *session) AuthMechanisms() []string {
	if ss.srv.opts.User == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != ss.srv.opts.User || pass != ss.srv.opts.Password {
			return errors.New("invalid credentials")
		}
		ss.authUser = user
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.srv.opts.User != "" && ss.authUser == "" {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := ss.conn.TLSConnectionState()
	ss.srv.mu.Lock()
	ss.srv.msgs = append(ss.srv.msgs, Received{From: ss.from, To: ss.to, Data: b, TLS: isTLS, AuthUser: ss.authUser})
	ss.srv.mu.Unlock()
	select {
	case ss.srv.arrived <- struct{}{}:
	default:
	}
	return nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

type quietLog struct{}

func (quietLog) Printf(string, ...any) {}
func (quietLog) Println(...any)        {}

func selfSigned() (server, client *tls.Config, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "mailtest"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}
	client = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	return server, client, nil
}

// Parsed is a received message, decoded.
type Parsed struct {
	Header mail.Header
	Body   string
}

// Parse reads an RFC 5322 message and decodes its body (quoted-printable or
// base64) and its Subject.
func Parse(t testing.TB, raw []byte) Parsed {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("mailtest: not a message: %v\n%s", err, raw)
	}
	body := m.Body
	switch strings.ToLower(m.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		t.Fatal("mailtest: base64 bodies are not expected")
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	m.Header["Subject"] = []string{subj}
	return Parsed{Header: m.Header, Body: string(b)}
}

var tokenLine = regexp.MustCompile(`(?m)^Token: ([A-Za-z0-9_-]+)\s*$`)

// Token returns the token of the "Token: ..." line of a message body.
func Token(t testing.TB, raw []byte) string {
	t.Helper()
	m := tokenLine.FindStringSubmatch(Parse(t, raw).Body)
	if m == nil {
		t.Fatalf("mailtest: no token in message:\n%s", raw)
	}
	return m[1]
}

// DirMessages returns the .eml files in dir, oldest first.
func DirMessages(t testing.TB, dir string) [][]byte {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	var out [][]byte
	for _, n := range names {
		b, err := os.ReadFile(n) //nolint:gosec // files of the test's own folder
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// WaitDir returns the n-th message file in dir once it exists.
func WaitDir(t testing.TB, dir string, n int, timeout time.Duration) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		if m := DirMessages(t, dir); len(m) >= n {
			return m[n-1]
		}
		select {
		case <-ctx.Done():
			t.Fatalf("mailtest: message %d did not appear in %s within %s", n, dir, timeout)
		case <-time.After(10 * time.Millisecond):
		}
	}
}
