package jwt_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"agora/adapters/jwt/jwttest"
	"agora/ports/identity"
)

// FuzzVerify feeds arbitrary strings to the token parser: it must never
// panic, and whatever it accepts must carry exactly the claims of the one
// genuine token in the corpus (nothing else can be forged).
func FuzzVerify(f *testing.F) {
	issuer := jwttest.Issuer(f)
	genuine := identity.AccessClaims{UserID: uuid.New(), SessionID: uuid.New()}
	token, err := issuer.Issue(genuine, time.Now(), time.Hour)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(token)
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")
	f.Add("a.b.c")
	f.Add("..")
	f.Add(token + "x")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := issuer.Verify(s)
		if err != nil {
			return
		}
		if c.UserID != genuine.UserID || c.SessionID != genuine.SessionID {
			t.Fatalf("accepted a token with forged claims: %q -> %+v", s, c)
		}
	})
}
