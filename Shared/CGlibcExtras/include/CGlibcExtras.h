// GNU extensions of glibc that Swift's Glibc module does not declare (it is built without
// _GNU_SOURCE), wrapped so Swift can call them.
#ifndef LEADWIRE_CGLIBCEXTRAS_H
#define LEADWIRE_CGLIBCEXTRAS_H

/// pipe2(fds, O_CLOEXEC): both ends close-on-exec from the start, so no child started by
/// another thread in between can inherit them.
int leadwire_pipe_cloexec(int fds[2]);

/// posix_spawn_file_actions_addclosefrom_np (glibc 2.34): the child closes every descriptor
/// from `lowest` up before it runs the program. `actions` is a posix_spawn_file_actions_t *
/// (untyped here, so the spawn types stay Glibc's in Swift).
int leadwire_spawn_add_closefrom(void *actions, int lowest);

#endif
