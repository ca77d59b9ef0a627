package indexer

// PollOnly turns off the inotify side of a watcher, as on a file system
// that delivers no events (NFS, SMB, FUSE), so tests exercise the poller
// alone.
func PollOnly(o WatchOptions) WatchOptions {
	o.pollOnly = true
	return o
}
