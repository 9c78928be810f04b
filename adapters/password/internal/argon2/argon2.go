// Copyright 2017 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package argon2 is golang.org/x/crypto/argon2 (v0.58.0, BSD licence in
// LICENSE), cut down to Argon2id and changed in two ways for a server that
// hashes passwords under a fixed memory budget:
//
//   - The caller owns the memory (a Workspace, reused hash after hash). The
//     upstream package allocates m KiB on every call: 7 MiB of garbage per
//     login, which under a login flood either took the process past its
//     64 MiB budget or, collected after every hash, halved login throughput.
//   - Every lane runs on the caller's goroutine, one after the other.
//     Upstream starts a goroutine per lane and segment, which moves the work
//     off the caller's OS thread, and with it off any scheduling priority
//     that thread was given (adapters/password hashes on niced threads).
//
// The output is byte for byte upstream's: argon2_test.go checks it against
// golang.org/x/crypto/argon2 and RFC 9106's test vector. Everything else
// (blake2b.go, blamka_*.go, blamka_amd64.s) is upstream's as it was, less
// the loong64 variant.
package argon2

import (
	"encoding/binary"

	"golang.org/x/crypto/blake2b"
)

// Version is the Argon2 version implemented by this package (1.3).
const Version = 0x13

// The Argon2 variants (the type field of the initial hash); only argon2id
// is derived here, argon2i stays for upstream's address-block rule.
const (
	argon2i  = 1
	argon2id = 2
)

// Workspace is the memory of one hash at a time, reused by the next. It is
// not safe for concurrent use: one per hashing thread.
type Workspace struct {
	blocks  []block
	mapping []byte // what freeBlocks gives back: blocks lie inside it
}

// NewWorkspace returns a workspace for hashes of up to memory KiB. Where the
// system allows (mem_unix.go), its memory is mapped outside the Go heap:
// megabytes that live for a whole login flood would otherwise raise the
// collector's heap goal by as much, and stay in the process's RSS until a
// collection and the scavenger give them back. Release returns it at once.
func NewWorkspace(memory uint32) *Workspace {
	blocks, mapping := allocBlocks(int(memory))
	return &Workspace{blocks: blocks, mapping: mapping}
}

// Release gives the workspace's memory back to the system; the workspace
// must not be used afterwards.
func (w *Workspace) Release() {
	freeBlocks(w.mapping)
	w.blocks, w.mapping = nil, nil
}

// IDKey derives a key from the password and salt with Argon2id, exactly as
// golang.org/x/crypto/argon2.IDKey does, in the workspace's memory. A hash
// that needs more memory than the workspace has (a hash made with older,
// larger parameters) gets memory of its own for this call, mapped outside
// the heap and given back when it returns. time and threads must be at
// least 1.
func (w *Workspace) IDKey(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	if time < 1 {
		panic("argon2: number of rounds too small")
	}
	if threads < 1 {
		panic("argon2: parallelism degree too low")
	}
	h0 := initHash(password, salt, nil, nil, time, memory, uint32(threads), keyLen, argon2id)

	memory = memory / (syncPoints * uint32(threads)) * (syncPoints * uint32(threads))
	if memory < 2*syncPoints*uint32(threads) {
		memory = 2 * syncPoints * uint32(threads)
	}
	var B []block
	if int(memory) <= len(w.blocks) {
		B = w.blocks[:memory]
		clear(B) // upstream's first pass XORs into fresh, zeroed memory
	} else {
		// Mapped like a workspace and unmapped on return: no garbage for
		// the collector, and the memory leaves the process at once.
		var mapping []byte
		B, mapping = allocBlocks(int(memory))
		defer freeBlocks(mapping)
	}
	initBlocks(&h0, B, uint32(threads))
	processBlocks(B, time, memory, uint32(threads), argon2id)
	return extractKey(B, memory, uint32(threads), keyLen)
}

const (
	blockLength = 128
	syncPoints  = 4
)

type block [blockLength]uint64

func initHash(password, salt, key, data []byte, time, memory, threads, keyLen uint32, mode int) [blake2b.Size + 8]byte {
	var (
		h0     [blake2b.Size + 8]byte
		params [24]byte
		tmp    [4]byte
	)

	b2, _ := blake2b.New512(nil)
	binary.LittleEndian.PutUint32(params[0:4], threads)
	binary.LittleEndian.PutUint32(params[4:8], keyLen)
	binary.LittleEndian.PutUint32(params[8:12], memory)
	binary.LittleEndian.PutUint32(params[12:16], time)
	binary.LittleEndian.PutUint32(params[16:20], uint32(Version))
	binary.LittleEndian.PutUint32(params[20:24], uint32(mode))
	b2.Write(params[:])
	binary.LittleEndian.PutUint32(tmp[:], uint32(len(password)))
	b2.Write(tmp[:])
	b2.Write(password)
	binary.LittleEndian.PutUint32(tmp[:], uint32(len(salt)))
	b2.Write(tmp[:])
	b2.Write(salt)
	binary.LittleEndian.PutUint32(tmp[:], uint32(len(key)))
	b2.Write(tmp[:])
	b2.Write(key)
	binary.LittleEndian.PutUint32(tmp[:], uint32(len(data)))
	b2.Write(tmp[:])
	b2.Write(data)
	b2.Sum(h0[:0])
	return h0
}

//go:norace
func initBlocks(h0 *[blake2b.Size + 8]byte, B []block, threads uint32) {
	var block0 [1024]byte
	memory := uint32(len(B))
	for lane := uint32(0); lane < threads; lane++ {
		j := lane * (memory / threads)
		binary.LittleEndian.PutUint32(h0[blake2b.Size+4:], lane)

		binary.LittleEndian.PutUint32(h0[blake2b.Size:], 0)
		blake2bHash(block0[:], h0[:])
		for i := range B[j+0] {
			B[j+0][i] = binary.LittleEndian.Uint64(block0[i*8:])
		}

		binary.LittleEndian.PutUint32(h0[blake2b.Size:], 1)
		blake2bHash(block0[:], h0[:])
		for i := range B[j+1] {
			B[j+1][i] = binary.LittleEndian.Uint64(block0[i*8:])
		}
	}
}

// The hashing loops carry go:norace: under the race detector every block
// access is instrumented and a 7 MiB hash takes seconds, which made the
// tests of every package that hashes crawl. A workspace is only ever used by
// the goroutine that holds it (adapters/password hands it over through a
// channel), so there is no sharing for the detector to see.

//go:norace
func processBlocks(B []block, time, memory, threads uint32, mode int) {
	// Upstream runs the lanes of a slice on goroutines of their own; here
	// they run one after the other on the caller's goroutine (lanes of one
	// slice never read each other's blocks, so the output is the same), so
	// the work stays on the caller's OS thread, and at its priority.
	for n := uint32(0); n < time; n++ {
		for slice := uint32(0); slice < syncPoints; slice++ {
			for lane := uint32(0); lane < threads; lane++ {
				processSegment(B, time, memory, threads, mode, n, slice, lane)
			}
		}
	}
}

//go:norace
func processSegment(B []block, time, memory, threads uint32, mode int, n, slice, lane uint32) {
	lanes := memory / threads
	segments := lanes / syncPoints
	var addresses, in, zero block
	if mode == argon2i || (mode == argon2id && n == 0 && slice < syncPoints/2) {
		in[0] = uint64(n)
		in[1] = uint64(lane)
		in[2] = uint64(slice)
		in[3] = uint64(memory)
		in[4] = uint64(time)
		in[5] = uint64(mode)
	}

	index := uint32(0)
	if n == 0 && slice == 0 {
		index = 2 // we have already generated the first two blocks
		if mode == argon2i || mode == argon2id {
			in[6]++
			processBlock(&addresses, &in, &zero)
			processBlock(&addresses, &addresses, &zero)
		}
	}

	offset := lane*lanes + slice*segments + index
	var random uint64
	for index < segments {
		prev := offset - 1
		if index == 0 && slice == 0 {
			prev += lanes // last block in lane
		}
		if mode == argon2i || (mode == argon2id && n == 0 && slice < syncPoints/2) {
			if index%blockLength == 0 {
				in[6]++
				processBlock(&addresses, &in, &zero)
				processBlock(&addresses, &addresses, &zero)
			}
			random = addresses[index%blockLength]
		} else {
			random = B[prev][0]
		}
		newOffset := indexAlpha(random, lanes, segments, threads, n, slice, lane, index)
		processBlockXOR(&B[offset], &B[prev], &B[newOffset])
		index, offset = index+1, offset+1
	}
}

//go:norace
func extractKey(B []block, memory, threads, keyLen uint32) []byte {
	lanes := memory / threads
	for lane := uint32(0); lane < threads-1; lane++ {
		for i, v := range B[(lane*lanes)+lanes-1] {
			B[memory-1][i] ^= v
		}
	}

	var block [1024]byte
	for i, v := range B[memory-1] {
		binary.LittleEndian.PutUint64(block[i*8:], v)
	}
	key := make([]byte, keyLen)
	blake2bHash(key, block[:])
	return key
}

func indexAlpha(rand uint64, lanes, segments, threads, n, slice, lane, index uint32) uint32 {
	refLane := uint32(rand>>32) % threads
	if n == 0 && slice == 0 {
		refLane = lane
	}
	m, s := 3*segments, ((slice+1)%syncPoints)*segments
	if lane == refLane {
		m += index
	}
	if n == 0 {
		m, s = slice*segments, 0
		if slice == 0 || lane == refLane {
			m += index
		}
	}
	if index == 0 || lane == refLane {
		m--
	}
	return phi(rand, uint64(m), uint64(s), refLane, lanes)
}

func phi(rand, m, s uint64, lane, lanes uint32) uint32 {
	p := rand & 0xFFFFFFFF
	p = (p * p) >> 32
	p = (p * m) >> 32
	return lane*lanes + uint32((s+m-(p+1))%uint64(lanes))
}
