// Command ledgerverify checks a Yiwang transparency ledger with third-party code only: the Go
// standard library and golang.org/x/mod/sumdb/{note,tlog} (the Go checksum database's own
// implementation of signed notes and RFC 6962 trees). It shares no code with the C++ server, so
// its acceptance is the "a third-party implementation verifies our checkpoints and proofs".
//
// Usage:
//
//	ledgerverify [--key VKEY] [--old-checkpoint FILE] [--save-checkpoint FILE]
//	             [--witness-key VKEY] [--index I]... [--max-bundles N] BASE_URL
//
// It fetches BASE_URL/ledger/checkpoint, opens it with note.Open and the log's verifier key
// (--key, else GET /api/v1/ledger/key), authenticates the C2SP tiles against the checkpoint root
// with tlog.TileHashReader, checks entries, entry bundles, inclusion proofs (tlog.ProveRecord and
// the server's JSON, both with tlog.CheckRecord), consistency proofs (tlog.CheckTree), and with
// --old-checkpoint that the log only grew since that checkpoint. Exit 0 when everything verifies,
// 1 with a message on the first failure, 2 on bad usage. LEDGERVERIFY_DEBUG=1 lists the tiles read.
//
// Build offline against Debian's golang-golang-x-mod-dev:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE=$(mktemp -d) go build -o ledgerverify .
package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const tileHeight = 8

type indexList []int64

func (l *indexList) String() string { return fmt.Sprint(*l) }
func (l *indexList) Set(s string) error {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return err
	}
	*l = append(*l, v)
	return nil
}

var client = &http.Client{Timeout: 30 * time.Second}

func fetch(url string) ([]byte, error) {
	resp, err := client.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: HTTP %d: %.200s", url, resp.StatusCode, body)
	}
	return body, nil
}

func fetchJSON(url string, v any) error {
	body, err := fetch(url)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("GET %s: %v", url, err)
	}
	return nil
}

type checkpoint struct {
	origin string
	tree   tlog.Tree
	text   string
}

// parseCheckpoint reads a C2SP tlog-checkpoint body: origin, size and base64 root lines, then
// optional extension lines. (tlog.ParseTree expects the older "go.sum database tree" layout.)
func parseCheckpoint(text string) (checkpoint, error) {
	lines := strings.Split(text, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		return checkpoint{}, errors.New("malformed checkpoint: want origin, size and root lines")
	}
	if lines[0] == "" {
		return checkpoint{}, errors.New("malformed checkpoint: empty origin")
	}
	n, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != lines[1] {
		return checkpoint{}, fmt.Errorf("malformed checkpoint size %q", lines[1])
	}
	h, err := tlog.ParseHash(lines[2])
	if err != nil || base64.StdEncoding.EncodeToString(h[:]) != lines[2] {
		return checkpoint{}, fmt.Errorf("malformed checkpoint root %q", lines[2])
	}
	return checkpoint{origin: lines[0], tree: tlog.Tree{N: n, Hash: h}, text: text}, nil
}

func openCheckpoint(msg []byte, v note.Verifier) (checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return checkpoint{}, fmt.Errorf("checkpoint signature: %v", err)
	}
	return parseCheckpoint(n.Text)
}

// c2spTiles serves tlog's tile requests from the ledger's C2SP tile paths. Go names a hash tile
// "tile/8/L/N[.p/W]" (with the tile height); C2SP fixes the height at 8 and drops that segment.
// Tiles are cached for the run: every hash taken from them ends up checked against the signed
// root by CheckRecord/CheckTree/TreeHash, so a cached bad tile still fails verification.
type c2spTiles struct {
	base  string
	cache map[string][]byte
}

func (*c2spTiles) Height() int { return tileHeight }

func (r *c2spTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		if t.H != tileHeight || t.L < 0 {
			return nil, fmt.Errorf("unexpected tile %v", t.Path())
		}
		p := "tile/" + strings.TrimPrefix(t.Path(), "tile/8/")
		data, ok := r.cache[p]
		if !ok {
			var err error
			data, err = fetch(r.base + "/ledger/" + p)
			if err != nil {
				return nil, err
			}
			if os.Getenv("LEDGERVERIFY_DEBUG") != "" {
				fmt.Fprintf(os.Stderr, "tile %s %x\n", p, sha256.Sum256(data))
			}
			r.cache[p] = data
		}
		if len(data) != t.W*tlog.HashSize {
			return nil, fmt.Errorf("tile %s: %d bytes, want %d", p, len(data), t.W*tlog.HashSize)
		}
		out[i] = data
	}
	return out, nil
}

func (*c2spTiles) SaveTiles([]tlog.Tile, [][]byte) {}

// entryBundlePath is the C2SP path of the entry bundle holding entries [256k, 256k+w).
func entryBundlePath(k int64, w int) string {
	t := tlog.Tile{H: tileHeight, L: 0, N: k, W: w}
	return "tile/entries/" + strings.TrimPrefix(t.Path(), "tile/8/0/")
}

func decodeBundle(b []byte) ([][]byte, error) {
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 2 {
			return nil, errors.New("truncated entry bundle")
		}
		n := int(binary.BigEndian.Uint16(b))
		if len(b) < 2+n {
			return nil, errors.New("truncated entry bundle")
		}
		out = append(out, b[2:2+n])
		b = b[2+n:]
	}
	return out, nil
}

func decodeHashes(list []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(list))
	for i, s := range list {
		h, err := tlog.ParseHash(s)
		if err != nil {
			return nil, fmt.Errorf("proof element %d: %v", i, err)
		}
		out[i] = h
	}
	return out, nil
}

type verifier struct {
	base string
	cp   checkpoint
	hr   tlog.HashReader
}

func (v *verifier) checkEntry(i int64) error {
	N, root := v.cp.tree.N, v.cp.tree.Hash
	var e struct {
		Index    int64  `json:"index"`
		Entry    string `json:"entry"`
		LeafHash string `json:"leaf_hash"`
	}
	if err := fetchJSON(fmt.Sprintf("%s/api/v1/ledger/entries/%d", v.base, i), &e); err != nil {
		return err
	}
	data, err := base64.StdEncoding.DecodeString(e.Entry)
	if err != nil {
		return fmt.Errorf("entry %d: %v", i, err)
	}
	leaf := tlog.RecordHash(data)
	if e.Index != i || e.LeafHash != leaf.String() {
		return fmt.Errorf("entry %d: index %d, leaf_hash %s but the entry hashes to %s", i, e.Index, e.LeafHash, leaf)
	}
	// The leaf as the authenticated tiles have it.
	stored, err := v.hr.ReadHashes([]int64{tlog.StoredHashIndex(0, i)})
	if err != nil {
		return fmt.Errorf("entry %d: tiles: %v", i, err)
	}
	if stored[0] != leaf {
		return fmt.Errorf("entry %d: served entry does not match the leaf hash in the tiles", i)
	}
	// An inclusion proof computed by tlog from the tiles, and the server's own.
	p, err := tlog.ProveRecord(N, i, v.hr)
	if err != nil {
		return fmt.Errorf("entry %d: ProveRecord: %v", i, err)
	}
	if err := tlog.CheckRecord(p, N, root, i, leaf); err != nil {
		return fmt.Errorf("entry %d: CheckRecord (tiles): %v", i, err)
	}
	var ip struct {
		Index    int64    `json:"index"`
		Size     int64    `json:"size"`
		LeafHash string   `json:"leaf_hash"`
		Proof    []string `json:"proof"`
	}
	if err := fetchJSON(fmt.Sprintf("%s/api/v1/ledger/proof/inclusion?index=%d&size=%d", v.base, i, N), &ip); err != nil {
		return err
	}
	if ip.Index != i || ip.Size != N || ip.LeafHash != leaf.String() {
		return fmt.Errorf("inclusion proof %d/%d: answer is for index %d, size %d, leaf %s", i, N, ip.Index, ip.Size, ip.LeafHash)
	}
	proof, err := decodeHashes(ip.Proof)
	if err != nil {
		return err
	}
	if err := tlog.CheckRecord(proof, N, root, i, leaf); err != nil {
		return fmt.Errorf("inclusion proof %d/%d from the server: %v", i, N, err)
	}
	return nil
}

// checkBundles checks that every entry bundle holds entries hashing to the authenticated leaves.
func (v *verifier) checkBundles(max int64) (int64, error) {
	N := v.cp.tree.N
	var checked int64
	for k := int64(0); k*256 < N && checked < max; k++ {
		w := int(N - k*256)
		if w > 256 {
			w = 256
		}
		p := entryBundlePath(k, w)
		raw, err := fetch(v.base + "/ledger/" + p)
		if err != nil {
			return checked, err
		}
		entries, err := decodeBundle(raw)
		if err != nil {
			return checked, fmt.Errorf("%s: %v", p, err)
		}
		if len(entries) != w {
			return checked, fmt.Errorf("%s: %d entries, want %d", p, len(entries), w)
		}
		// Each entry must be the leaf at its index in the tree of the signed root. Not only
		// compared with the level-0 tile: x/mod v0.7.0's TileHashReader does not authenticate
		// every child tile against its parent (it starts that loop at len(stx), the number of
		// root subtrees, not the number of tiles fetched for them), so a tile is only trusted
		// through a proof checked against the root.
		for j, e := range entries {
			i := k*256 + int64(j)
			leaf := tlog.RecordHash(e)
			rp, err := tlog.ProveRecord(N, i, v.hr)
			if err == nil {
				err = tlog.CheckRecord(rp, N, v.cp.tree.Hash, i, leaf)
			}
			if err != nil {
				return checked, fmt.Errorf("%s: entry %d does not hash to its leaf in the tree: %v", p, i, err)
			}
		}
		checked++
	}
	return checked, nil
}

// checkConsistency checks the server's consistency proof from (m, oldRoot) to the checkpoint,
// and tlog's own proof computed from the tiles.
func (v *verifier) checkConsistency(m int64, oldRoot tlog.Hash) error {
	N, root := v.cp.tree.N, v.cp.tree.Hash
	if m > N {
		return fmt.Errorf("rollback: the log shows %d entries, fewer than the %d it showed before", N, m)
	}
	if m == N {
		if oldRoot != root {
			return fmt.Errorf("fork: two different roots for size %d", N)
		}
		return nil
	}
	if m == 0 {
		return nil
	}
	var cp struct {
		Old   int64    `json:"old"`
		New   int64    `json:"new"`
		Proof []string `json:"proof"`
	}
	if err := fetchJSON(fmt.Sprintf("%s/api/v1/ledger/proof/consistency?old=%d&new=%d", v.base, m, N), &cp); err != nil {
		return err
	}
	if cp.Old != m || cp.New != N {
		return fmt.Errorf("consistency proof %d→%d: answer is for %d→%d", m, N, cp.Old, cp.New)
	}
	proof, err := decodeHashes(cp.Proof)
	if err != nil {
		return err
	}
	if err := tlog.CheckTree(proof, N, root, m, oldRoot); err != nil {
		return fmt.Errorf("consistency %d→%d (server proof): %v", m, N, err)
	}
	tp, err := tlog.ProveTree(N, m, v.hr)
	if err != nil {
		return fmt.Errorf("consistency %d→%d: ProveTree: %v", m, N, err)
	}
	if err := tlog.CheckTree(tp, N, root, m, oldRoot); err != nil {
		return fmt.Errorf("consistency %d→%d (tile proof): %v", m, N, err)
	}
	return nil
}

// checkCosignature verifies a C2SP tlog-cosignature/v1 line (algorithm 0x04) by hand: Go's note
// package knows only Ed25519 (0x01) keys.
func checkCosignature(msg []byte, cp checkpoint, vkey string) (int64, error) {
	name, rest, ok1 := strings.Cut(vkey, "+")
	hashHex, keyB64, ok2 := strings.Cut(rest, "+")
	key, err := base64.StdEncoding.DecodeString(keyB64)
	if !ok1 || !ok2 || err != nil || len(key) != 33 || key[0] != 0x04 {
		return 0, fmt.Errorf("malformed cosignature verifier key")
	}
	kh := sha256.Sum256(append([]byte(name+"\n"), key...))
	if fmt.Sprintf("%08x", binary.BigEndian.Uint32(kh[:4])) != hashHex {
		return 0, fmt.Errorf("cosignature verifier key hash mismatch")
	}
	sigs := string(msg[len(cp.text)+1:])
	for _, line := range strings.Split(strings.TrimSuffix(sigs, "\n"), "\n") {
		line = strings.TrimPrefix(line, "— ")
		n, b64, _ := strings.Cut(line, " ")
		sig, err := base64.StdEncoding.DecodeString(b64)
		if n != name || err != nil || len(sig) != 4+8+64 || !bytesEqual(sig[:4], kh[:4]) {
			continue
		}
		t := binary.BigEndian.Uint64(sig[4:12])
		signed := fmt.Sprintf("cosignature/v1\ntime %d\n%s", t, cp.text)
		if !ed25519.Verify(ed25519.PublicKey(key[1:]), []byte(signed), sig[12:]) {
			return 0, fmt.Errorf("invalid cosignature by %s", name)
		}
		return int64(t), nil
	}
	return 0, fmt.Errorf("no cosignature by %s", name)
}

func bytesEqual(a, b []byte) bool { return string(a) == string(b) }

func run() error {
	keyFlag := flag.String("key", "", "log verifier key (default: GET /api/v1/ledger/key)")
	oldFile := flag.String("old-checkpoint", "", "a checkpoint seen earlier: the log must extend it")
	saveFile := flag.String("save-checkpoint", "", "write the verified checkpoint here")
	witnessKey := flag.String("witness-key", "", "require a tlog-cosignature/v1 by this key")
	maxBundles := flag.Int64("max-bundles", 1<<62, "check at most this many entry bundles")
	var indices indexList
	flag.Var(&indices, "index", "entry to check (repeatable; default: first, middle, last)")
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	base := strings.TrimSuffix(flag.Arg(0), "/")

	vkey := *keyFlag
	if vkey == "" {
		var k struct {
			VerifierKey string `json:"verifier_key"`
		}
		if err := fetchJSON(base+"/api/v1/ledger/key", &k); err != nil {
			return err
		}
		vkey = k.VerifierKey
	}
	logVerifier, err := note.NewVerifier(vkey)
	if err != nil {
		return fmt.Errorf("verifier key: %v", err)
	}

	msg, err := fetch(base + "/ledger/checkpoint")
	if err != nil {
		return err
	}
	cp, err := openCheckpoint(msg, logVerifier)
	if err != nil {
		return err
	}
	if cp.origin != logVerifier.Name() {
		return fmt.Errorf("checkpoint origin %q is not the key name %q", cp.origin, logVerifier.Name())
	}
	if *witnessKey != "" {
		t, err := checkCosignature(msg, cp, *witnessKey)
		if err != nil {
			return err
		}
		fmt.Printf("cosigned at %d\n", t)
	}
	v := &verifier{base: base, cp: cp, hr: tlog.TileHashReader(cp.tree, &c2spTiles{base, map[string][]byte{}})}

	N := cp.tree.N
	if N > 0 {
		// TreeHash reads the tiles on the right edge; TileHashReader authenticates them against
		// the checkpoint root before answering.
		th, err := tlog.TreeHash(N, v.hr)
		if err != nil {
			return fmt.Errorf("tree hash from tiles: %v", err)
		}
		if th != cp.tree.Hash {
			return fmt.Errorf("tree hash from tiles %s != checkpoint root %s", th, cp.tree.Hash)
		}
		if len(indices) == 0 {
			indices = indexList{0, N / 2, N - 1}
		}
		for _, i := range indices {
			if i < 0 || i >= N {
				return fmt.Errorf("index %d outside the tree of size %d", i, N)
			}
			if err := v.checkEntry(i); err != nil {
				return err
			}
		}
		bundles, err := v.checkBundles(*maxBundles)
		if err != nil {
			return err
		}
		// An internal consistency proof, with the old root taken from the authenticated tiles.
		if m := N / 2; m > 0 {
			oldRoot, err := tlog.TreeHash(m, v.hr)
			if err != nil {
				return err
			}
			if err := v.checkConsistency(m, oldRoot); err != nil {
				return err
			}
		}
		fmt.Printf("checked %d entries, %d entry bundles\n", len(indices), bundles)
	} else if cp.tree.Hash != tlog.Hash(sha256.Sum256(nil)) {
		return fmt.Errorf("empty tree with root %s", cp.tree.Hash)
	}

	if *oldFile != "" {
		oldMsg, err := os.ReadFile(*oldFile)
		if err != nil {
			return err
		}
		old, err := openCheckpoint(oldMsg, logVerifier)
		if err != nil {
			return fmt.Errorf("old checkpoint: %v", err)
		}
		if err := v.checkConsistency(old.tree.N, old.tree.Hash); err != nil {
			return err
		}
		fmt.Printf("consistent with the old checkpoint of size %d\n", old.tree.N)
	}
	if *saveFile != "" {
		if err := os.WriteFile(*saveFile, msg, 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("OK %s size %d root %s\n", cp.origin, N, cp.tree.Hash)
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "ledgerverify: FAILED:", err)
		os.Exit(1)
	}
}
