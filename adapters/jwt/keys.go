package jwt

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
)

// KeySet is the signing key and every key that still verifies: the signing
// key's public half first, then previous keys kept during a rotation.
type KeySet struct {
	raw     ed25519.PrivateKey
	signing jwk.Key // private, with kid and alg
	public  jwk.Set // public keys, each with kid, alg EdDSA and use sig
}

// SigningPublicKey is the public half of the signing key, which a rotation
// keeps as the "previous" key of the next key file.
func (k *KeySet) SigningPublicKey() ed25519.PublicKey { return k.raw.Public().(ed25519.PublicKey) }

// SigningKeyID is the kid of the key that signs new tokens.
func (k *KeySet) SigningKeyID() string { return k.signing.KeyID() }

// KeyIDs lists the kids of every verifying key, the signing key's first.
func (k *KeySet) KeyIDs() []string {
	ids := make([]string, 0, k.public.Len())
	for i := range k.public.Len() {
		key, _ := k.public.Key(i)
		ids = append(ids, key.KeyID())
	}
	return ids
}

// GenerateKey makes a new Ed25519 signing key.
func GenerateKey() (ed25519.PrivateKey, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	return priv, err
}

// EncodePrivateKey writes a key as PEM ("PRIVATE KEY", PKCS #8), the format
// of `agora keygen` and of openssl genpkey -algorithm ed25519.
func EncodePrivateKey(priv ed25519.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// EncodePublicKey writes a public key as PEM ("PUBLIC KEY", PKIX).
func EncodePublicKey(pub ed25519.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// ParseKeySet reads a key file: PEM blocks, the first a "PRIVATE KEY" that
// signs; any further blocks ("PRIVATE KEY" or "PUBLIC KEY") are previous
// keys that still verify tokens and are published in the JWKS until they
// are removed from the file. All keys must be Ed25519.
func ParseKeySet(data []byte) (*KeySet, error) {
	var pubs []ed25519.PublicKey
	var signing ed25519.PrivateKey
	for n := 1; ; n++ {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		switch block.Type {
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("PEM block %d: %w", n, err)
			}
			priv, ok := k.(ed25519.PrivateKey)
			if !ok {
				return nil, fmt.Errorf("PEM block %d: a %T, not an Ed25519 key", n, k)
			}
			if signing == nil {
				signing = priv
			}
			pubs = append(pubs, priv.Public().(ed25519.PublicKey))
		case "PUBLIC KEY":
			if signing == nil {
				return nil, errors.New("the first PEM block must be the signing PRIVATE KEY")
			}
			k, err := x509.ParsePKIXPublicKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("PEM block %d: %w", n, err)
			}
			pub, ok := k.(ed25519.PublicKey)
			if !ok {
				return nil, fmt.Errorf("PEM block %d: a %T, not an Ed25519 key", n, k)
			}
			pubs = append(pubs, pub)
		default:
			return nil, fmt.Errorf("PEM block %d: type %q, want PRIVATE KEY or PUBLIC KEY", n, block.Type)
		}
	}
	if signing == nil {
		return nil, errors.New("no PEM \"PRIVATE KEY\" block found")
	}
	return NewKeySet(signing, pubs[1:]...)
}

// LoadKeySet reads ParseKeySet's format from a file.
func LoadKeySet(path string) (*KeySet, error) {
	data, err := os.ReadFile(path) //nolint:gosec // the operator names the file
	if err != nil {
		return nil, err
	}
	ks, err := ParseKeySet(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ks, nil
}

// EphemeralKeySet makes a key set with a fresh key that lives as long as the
// process: tokens die with it. For development only.
func EphemeralKeySet() (*KeySet, error) {
	priv, err := GenerateKey()
	if err != nil {
		return nil, err
	}
	return NewKeySet(priv)
}

// NewKeySet builds a key set from a signing key and previous public keys.
// Each key's kid is its RFC 7638 thumbprint, so every replica and restart
// names the same key the same way.
func NewKeySet(signing ed25519.PrivateKey, previous ...ed25519.PublicKey) (*KeySet, error) {
	sk, err := jwk.FromRaw(signing)
	if err != nil {
		return nil, err
	}
	kid, err := thumbprint(sk)
	if err != nil {
		return nil, err
	}
	if err := setAll(sk, map[string]any{jwk.KeyIDKey: kid, jwk.AlgorithmKey: jwa.EdDSA, jwk.KeyUsageKey: jwk.ForSignature}); err != nil {
		return nil, err
	}
	set := jwk.NewSet()
	seen := map[string]bool{}
	for _, raw := range append([]ed25519.PublicKey{signing.Public().(ed25519.PublicKey)}, previous...) {
		pk, err := jwk.FromRaw(raw)
		if err != nil {
			return nil, err
		}
		kid, err := thumbprint(pk)
		if err != nil {
			return nil, err
		}
		if seen[kid] {
			continue
		}
		seen[kid] = true
		if err := setAll(pk, map[string]any{jwk.KeyIDKey: kid, jwk.AlgorithmKey: jwa.EdDSA, jwk.KeyUsageKey: jwk.ForSignature}); err != nil {
			return nil, err
		}
		if err := set.AddKey(pk); err != nil {
			return nil, err
		}
	}
	return &KeySet{raw: signing, signing: sk, public: set}, nil
}

func thumbprint(k jwk.Key) (string, error) {
	tp, err := k.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(tp), nil
}

func setAll(k jwk.Key, fields map[string]any) error {
	for name, v := range fields {
		if err := k.Set(name, v); err != nil {
			return fmt.Errorf("set %s: %w", name, err)
		}
	}
	return nil
}
