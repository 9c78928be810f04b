package mail

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"agora/ports/identity"
)

// Dir writes each message as an .eml file into a folder (MAIL_DIR). Files
// appear whole: each is written under a temporary name and then renamed.
type Dir struct {
	dir  string
	from string
}

var _ identity.Mailer = (*Dir)(nil)

// NewDir creates the folder (owner-only: messages carry tokens) if needed.
func NewDir(dir, from string) (*Dir, error) {
	if err := checkFrom(from); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("mail: MAIL_DIR: %w", err)
	}
	return &Dir{dir: dir, from: from}, nil
}

// Send implements identity.Mailer.
func (d *Dir) Send(ctx context.Context, m identity.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	msg, err := compose(d.from, m)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("%s-%s.eml", time.Now().UTC().Format("20060102T150405.000000000Z"), randomName())
	tmp, err := os.CreateTemp(d.dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := msg.WriteTo(tmp); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("mail: write: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("mail: write: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(d.dir, name)); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	return nil
}
