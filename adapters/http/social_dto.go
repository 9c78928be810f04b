package http

import (
	"time"

	"agora/ports/social"
)

type postDTO struct {
	ID         string      `json:"id"`
	Author     summaryJSON `json:"author"`
	Body       string      `json:"body"`
	Visibility string      `json:"visibility"`
	CreatedAt  time.Time   `json:"created_at"`
	UpdatedAt  time.Time   `json:"updated_at"`
}

func toPostDTO(v social.PostView) postDTO {
	return postDTO{
		ID: v.ID.String(), Author: toSummaryJSON(v.Author), Body: v.Body, Visibility: string(v.Visibility),
		CreatedAt: v.CreatedAt.UTC(), UpdatedAt: v.UpdatedAt.UTC(),
	}
}

type profileDTO struct {
	ID                     string    `json:"id"`
	Username               string    `json:"username"`
	DisplayName            string    `json:"display_name"`
	Headline               string    `json:"headline"`
	Bio                    string    `json:"bio"`
	CreatedAt              time.Time `json:"created_at"`
	ConnectionsCount       int       `json:"connections_count"`
	MutualConnectionsCount int       `json:"mutual_connections_count"`
	Connection             string    `json:"connection"`
}

func toProfileDTO(p social.Profile) profileDTO {
	return profileDTO{
		ID: p.User.ID.String(), Username: string(p.User.Username), DisplayName: p.User.DisplayName,
		Headline: p.Headline, Bio: p.Bio, CreatedAt: p.CreatedAt.UTC(),
		ConnectionsCount: p.ConnectionsCount, MutualConnectionsCount: p.MutualConnectionsCount,
		Connection: string(p.Relation),
	}
}

type connectionRequestDTO struct {
	ID          string      `json:"id"`
	From        summaryJSON `json:"from"`
	To          summaryJSON `json:"to"`
	Message     string      `json:"message"`
	Status      string      `json:"status"`
	CreatedAt   time.Time   `json:"created_at"`
	RespondedAt *time.Time  `json:"responded_at"`
}

func toConnectionRequestDTO(v social.RequestView) connectionRequestDTO {
	d := connectionRequestDTO{
		ID: v.ID.String(), From: toSummaryJSON(v.From), To: toSummaryJSON(v.To), Message: v.Message,
		Status: string(v.Status), CreatedAt: v.CreatedAt.UTC(),
	}
	if v.RespondedAt != nil {
		t := v.RespondedAt.UTC()
		d.RespondedAt = &t
	}
	return d
}

type connectionDTO struct {
	User        summaryJSON `json:"user"`
	ConnectedAt time.Time   `json:"connected_at"`
}

func toConnectionDTO(c social.Connection) connectionDTO {
	return connectionDTO{User: toSummaryJSON(c.User), ConnectedAt: c.ConnectedAt.UTC()}
}

// exportAccountDTO is the contract's Me shape, as the export carries it.
type exportAccountDTO struct {
	ID            string    `json:"id"`
	Username      string    `json:"username"`
	Email         string    `json:"email"`
	EmailVerified bool      `json:"email_verified"`
	DisplayName   string    `json:"display_name"`
	Headline      string    `json:"headline"`
	Bio           string    `json:"bio"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

type exportSessionDTO struct {
	ID         string     `json:"id"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt time.Time  `json:"last_used_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

type exportDTO struct {
	ExportedAt         time.Time              `json:"exported_at"`
	User               exportAccountDTO       `json:"user"`
	Posts              []postDTO              `json:"posts"`
	ConnectionRequests []connectionRequestDTO `json:"connection_requests"`
	Connections        []connectionDTO        `json:"connections"`
	Blocks             []summaryJSON          `json:"blocks"`
	Sessions           []exportSessionDTO     `json:"sessions"`
}

func toExportDTO(e social.Export) exportDTO {
	a := e.Account
	d := exportDTO{
		ExportedAt: e.ExportedAt.UTC(),
		User: exportAccountDTO{
			ID: a.ID.String(), Username: string(a.Username), Email: string(a.Email), EmailVerified: a.EmailVerified(),
			DisplayName: a.DisplayName, Headline: a.Headline, Bio: a.Bio,
			CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC(),
		},
		Posts:              make([]postDTO, 0, len(e.Posts)),
		ConnectionRequests: make([]connectionRequestDTO, 0, len(e.Requests)),
		Connections:        make([]connectionDTO, 0, len(e.Connections)),
		Blocks:             make([]summaryJSON, 0, len(e.Blocks)),
		Sessions:           make([]exportSessionDTO, 0, len(e.Sessions)),
	}
	for _, p := range e.Posts {
		d.Posts = append(d.Posts, toPostDTO(p))
	}
	for _, r := range e.Requests {
		d.ConnectionRequests = append(d.ConnectionRequests, toConnectionRequestDTO(r))
	}
	for _, c := range e.Connections {
		d.Connections = append(d.Connections, toConnectionDTO(c))
	}
	for _, b := range e.Blocks {
		d.Blocks = append(d.Blocks, toSummaryJSON(b))
	}
	for _, s := range e.Sessions {
		x := exportSessionDTO{ID: s.ID.String(), CreatedAt: s.CreatedAt.UTC(), LastUsedAt: s.LastUsedAt.UTC(), ExpiresAt: s.ExpiresAt.UTC()}
		if s.RevokedAt != nil {
			t := s.RevokedAt.UTC()
			x.RevokedAt = &t
		}
		d.Sessions = append(d.Sessions, x)
	}
	return d
}
